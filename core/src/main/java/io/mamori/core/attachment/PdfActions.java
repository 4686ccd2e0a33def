package io.mamori.core.attachment;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.apache.pdfbox.pdmodel.interactive.action.PDAction;

/**
 * The actions a PDF viewer runs for one trigger: the action and those it chains to with {@code /Next}, which the
 * viewer runs after it (a harmless "go to page 1" may chain to a script or a web address). Shared by the attachment
 * inspection (scripts, launches) and the link reader (addresses opened). Stateless.
 */
public final class PdfActions {

    /** Actions of one chain looked at at most. */
    public static final int MAX_CHAIN = 32;

    private PdfActions() {
    }

    /**
     * {@code first} and the actions it chains to, breadth-first, each once (a chain may loop), at most
     * {@value #MAX_CHAIN}; a chain that cannot be read further ends where it can. Empty for {@code null}.
     */
    public static List<PDAction> chain(PDAction first) {
        List<PDAction> out = new ArrayList<>();
        if (first == null) {
            return out;
        }
        ArrayDeque<PDAction> todo = new ArrayDeque<>(List.of(first));
        Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        while (!todo.isEmpty() && out.size() < MAX_CHAIN) {
            PDAction action = todo.poll();
            if (!seen.add(action.getCOSObject())) {
                continue;
            }
            out.add(action);
            try {
                List<PDAction> next = action.getNext();
                if (next != null) {
                    next.stream().filter(Objects::nonNull).limit(MAX_CHAIN).forEach(todo::add);
                }
            } catch (RuntimeException damaged) {
                // a chain that cannot be read ends here
            }
        }
        return out;
    }

    /** The first action of {@code type} in the chain of {@code first}, or {@code null}. */
    public static <T extends PDAction> T first(PDAction first, Class<T> type) {
        for (PDAction action : chain(first)) {
            if (type.isInstance(action)) {
                return type.cast(action);
            }
        }
        return null;
    }
}
