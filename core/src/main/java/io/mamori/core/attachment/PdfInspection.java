package io.mamori.core.attachment;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.io.MemoryUsageSetting;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDDocumentCatalog;
import org.apache.pdfbox.pdmodel.PDDocumentNameDictionary;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.common.PDNameTreeNode;
import org.apache.pdfbox.pdmodel.common.filespecification.PDComplexFileSpecification;
import org.apache.pdfbox.pdmodel.common.filespecification.PDEmbeddedFile;
import org.apache.pdfbox.pdmodel.common.filespecification.PDFileSpecification;
import org.apache.pdfbox.pdmodel.encryption.InvalidPasswordException;
import org.apache.pdfbox.pdmodel.interactive.action.PDAction;
import org.apache.pdfbox.pdmodel.interactive.action.PDActionJavaScript;
import org.apache.pdfbox.pdmodel.interactive.action.PDActionLaunch;
import org.apache.pdfbox.pdmodel.interactive.action.PDAnnotationAdditionalActions;
import org.apache.pdfbox.pdmodel.interactive.action.PDDocumentCatalogAdditionalActions;
import org.apache.pdfbox.pdmodel.interactive.action.PDPageAdditionalActions;
import org.apache.pdfbox.pdmodel.interactive.annotation.PDAnnotation;
import org.apache.pdfbox.pdmodel.interactive.annotation.PDAnnotationFileAttachment;
import org.apache.pdfbox.pdmodel.interactive.annotation.PDAnnotationLink;
import org.apache.pdfbox.pdmodel.interactive.annotation.PDAnnotationWidget;

/**
 * What a PDF attachment holds that runs or drops something, read with Apache PDFBox from its document catalogue and
 * first pages (never its page content): whether it needs a password ({@link PdfEncryption}), JavaScript that runs
 * without the reader asking for it (the document's open action, its catalogue's additional actions — will close, save
 * or print — and its document-level scripts, as pdfid counts them; the scripts of its XFA form that run as the form
 * opens, closes, is saved or printed ({@link XfaScripts}); the open and close actions of the first pages and
 * the page-open and page-visible actions of their annotations; each also through the actions it chains to with
 * {@code /Next}; a form field's calculation script or a button's script is not, as forms of tax offices and banks have
 * them), Launch actions (which start a program or open a file: in the open action or a link or widget annotation of
 * the first pages, also chained), and the files embedded in it (its {@code EmbeddedFiles} name tree and
 * file attachment annotations; a Factur-X/ZUGFeRD invoice's XML is such a file too, so a file is no signal by itself:
 * its name and content are inspected). Bounded: the loader's memory as {@link PdfEncryption}'s, name trees walked to
 * {@value #MAX_NODES} nodes, {@value #MAX_PAGES} pages, embedded files up to a byte budget in all. Stateless.
 */
final class PdfInspection {

    /** Name tree nodes and kids visited at most per tree. */
    static final int MAX_NODES = 1000;
    /** Pages whose annotations are looked at. */
    static final int MAX_PAGES = 50;
    /** Embedded files taken at most. */
    static final int MAX_FILES = 32;

    /** A file embedded in the PDF: its name (as the reader's file list shows it) and its bytes. */
    record EmbeddedFile(String name, byte[] data) {
    }

    /**
     * What was found: {@code javascript} where JavaScript runs unasked ({@code open action}, {@code document script
     * "init"}), {@code launch} what a Launch action starts, each {@code null} for none.
     */
    record Result(boolean needsPassword, String javascript, String launch, List<EmbeddedFile> files) {
        static final Result NOTHING = new Result(false, null, null, List.of());
    }

    static {
        PdfDecoding.install();
    }

    private PdfInspection() {
    }

    /** Inspects {@code pdf}, taking at most {@code maxFileBytes} of embedded files in all. */
    static Result inspect(byte[] pdf, int maxFileBytes) {
        try (PDDocument doc = Loader.loadPDF(pdf, "", null, null,
                MemoryUsageSetting.setupMainMemoryOnly(PdfEncryption.MAX_MEMORY).streamCache)) {
            if (!doc.isEncrypted() && PdfEncryption.declaresEncryption(pdf)) {
                return new Result(true, null, null, List.of());
            }
            return contents(doc, maxFileBytes);
        } catch (InvalidPasswordException e) {
            return new Result(true, null, null, List.of());
        } catch (IOException | RuntimeException e) {
            // RuntimeException: PDFBox throws unchecked exceptions on some damaged files
            return new Result(PdfEncryption.declaresEncryption(pdf), null, null, List.of());
        } catch (NoClassDefFoundError e) {
            if (!PdfEncryption.needsCertificate(e)) {
                throw e;
            }
            return new Result(true, null, null, List.of());
        }
    }

    private static Result contents(PDDocument doc, int maxFileBytes) {
        PDDocumentCatalog catalog = doc.getDocumentCatalog();
        String javascript = null;
        String launch = null;
        List<EmbeddedFile> files = new ArrayList<>();
        int[] budget = {maxFileBytes};
        try {
            if (catalog.getOpenAction() instanceof PDAction open) {
                for (PDAction action : PdfActions.chain(open)) {
                    if (javascript == null && action instanceof PDActionJavaScript) {
                        javascript = "open action";
                    } else if (launch == null && action instanceof PDActionLaunch l) {
                        launch = launched(l);
                    }
                }
            }
        } catch (IOException | RuntimeException damaged) {
            // an open action that cannot be read is not one
        }
        try {
            PDDocumentCatalogAdditionalActions actions = catalog.getActions();
            if (javascript == null && actions != null && anyJavaScript(actions.getWC(), actions.getWS(), actions.getWP(),
                    actions.getDS(), actions.getDP())) {
                javascript = "document action";
            }
        } catch (RuntimeException damaged) {
            // additional actions that cannot be read are none
        }
        try {
            String activity = javascript == null
                    ? XfaScripts.unasked(catalog.getCOSObject().getCOSDictionary(COSName.ACRO_FORM)) : null;
            if (activity != null) {
                javascript = "XFA form script (" + activity + ")";
            }
        } catch (RuntimeException damaged) {
            // an interactive form that cannot be read has no scripts
        }
        PDDocumentNameDictionary names = catalog.getNames();
        if (names != null) {
            if (javascript == null && names.getJavaScript() != null) {
                String first = firstName(names.getJavaScript(), new int[] {0});
                if (first != null) {
                    javascript = "document script \"" + first + "\"";
                }
            }
            if (names.getEmbeddedFiles() != null) {
                embedded(names.getEmbeddedFiles(), files, budget, new int[] {0});
            }
        }
        int n = 0;
        java.util.Iterator<PDPage> pages;
        try {
            pages = doc.getPages().iterator();
        } catch (RuntimeException damaged) {
            pages = java.util.Collections.emptyIterator();
        }
        while (n++ < MAX_PAGES) {
            PDPage page;
            try {
                if (!pages.hasNext()) {
                    break;
                }
                page = pages.next();
            } catch (RuntimeException damaged) {
                break; // a damaged page tree: what was found so far stands
            }
            try {
                PDPageAdditionalActions pageActions = page.getActions();
                if (javascript == null && anyJavaScript(pageActions.getO(), pageActions.getC())) {
                    javascript = "page " + n + " open or close action";
                }
            } catch (RuntimeException damaged) {
                // a page's additional actions that cannot be read are none
            }
            try {
                for (PDAnnotation annotation : page.getAnnotations()) {
                    if (javascript == null && annotation.getCOSObject().getCOSDictionary(COSName.AA) != null) {
                        // page open, close, visible, invisible: they run as the page is shown, without a click
                        PDAnnotationAdditionalActions shown = new PDAnnotationAdditionalActions(
                                annotation.getCOSObject().getCOSDictionary(COSName.AA));
                        if (anyJavaScript(shown.getPO(), shown.getPC(), shown.getPV(), shown.getPI())) {
                            javascript = "annotation on page " + n + " (page open or visible)";
                        }
                    }
                    PDAction action = annotation instanceof PDAnnotationLink link ? link.getAction()
                            : annotation instanceof PDAnnotationWidget widget ? widget.getAction() : null;
                    PDActionLaunch l = launch == null ? PdfActions.first(action, PDActionLaunch.class) : null;
                    if (l != null) {
                        launch = launched(l);
                    }
                    if (annotation instanceof PDAnnotationFileAttachment attachment && files.size() < MAX_FILES) {
                        take(attachment.getFile(), null, files, budget);
                    }
                }
            } catch (IOException | RuntimeException damaged) {
                // a page whose annotations cannot be read: the next
            }
        }
        return new Result(false, javascript, launch, List.copyOf(files));
    }

    /** Whether any of {@code actions} (each may be null) runs JavaScript, itself or through its chain. */
    private static boolean anyJavaScript(PDAction... actions) {
        for (PDAction action : actions) {
            if (action != null && PdfActions.first(action, PDActionJavaScript.class) != null) {
                return true;
            }
        }
        return false;
    }

    /** What a Launch action starts: its file, or its Windows parameters' file, or {@code "a program"}. */
    private static String launched(PDActionLaunch launch) {
        try {
            PDFileSpecification file = launch.getFile();
            if (file != null && file.getFile() != null && !file.getFile().isBlank()) {
                return file.getFile();
            }
            if (launch.getWinLaunchParams() != null && launch.getWinLaunchParams().getFilename() != null) {
                return launch.getWinLaunchParams().getFilename();
            }
        } catch (IOException | RuntimeException damaged) {
            // named below
        }
        return "a program";
    }

    private static <T extends org.apache.pdfbox.pdmodel.common.COSObjectable> String firstName(PDNameTreeNode<T> node,
            int[] visited) {
        if (++visited[0] > MAX_NODES) {
            return null;
        }
        try {
            Map<String, T> names = node.getNames();
            if (names != null && !names.isEmpty()) {
                return names.keySet().iterator().next();
            }
            List<PDNameTreeNode<T>> kids = node.getKids();
            if (kids != null) {
                for (PDNameTreeNode<T> kid : kids) {
                    String name = firstName(kid, visited);
                    if (name != null) {
                        return name;
                    }
                }
            }
        } catch (IOException | RuntimeException damaged) {
            // a damaged tree names nothing more
        }
        return null;
    }

    private static void embedded(PDNameTreeNode<PDComplexFileSpecification> node, List<EmbeddedFile> files,
            int[] budget, int[] visited) {
        if (++visited[0] > MAX_NODES || files.size() >= MAX_FILES) {
            return;
        }
        try {
            Map<String, PDComplexFileSpecification> names = node.getNames();
            if (names != null) {
                for (Map.Entry<String, PDComplexFileSpecification> e : names.entrySet()) {
                    take(e.getValue(), e.getKey(), files, budget);
                }
            }
            List<PDNameTreeNode<PDComplexFileSpecification>> kids = node.getKids();
            if (kids != null) {
                for (PDNameTreeNode<PDComplexFileSpecification> kid : kids) {
                    embedded(kid, files, budget, visited);
                }
            }
        } catch (IOException | RuntimeException damaged) {
            // a damaged tree holds nothing more
        }
    }

    /** One embedded file, named by its Unicode file name, else its file name, else its key in the tree. */
    private static void take(PDFileSpecification spec, String key, List<EmbeddedFile> files, int[] budget) {
        if (!(spec instanceof PDComplexFileSpecification complex) || files.size() >= MAX_FILES || budget[0] <= 0) {
            return;
        }
        PDEmbeddedFile file = complex.getEmbeddedFileUnicode() != null ? complex.getEmbeddedFileUnicode()
                : complex.getEmbeddedFile() != null ? complex.getEmbeddedFile() : complex.getEmbeddedFileDos();
        String name = complex.getFileUnicode() != null ? complex.getFileUnicode()
                : complex.getFile() != null ? complex.getFile() : key;
        if (file == null) {
            return;
        }
        try (InputStream in = file.createInputStream()) {
            byte[] data = in.readNBytes(budget[0]);
            budget[0] -= data.length;
            files.add(new EmbeddedFile(name, data));
        } catch (IOException | RuntimeException damaged) {
            files.add(new EmbeddedFile(name, null));
        }
    }
}
