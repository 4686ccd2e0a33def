package io.mamori.core.attachment;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Reading the XML parts of Office Open XML documents, which are attacker input: the JDK's own StAX parser (not whichever
 * implementation a library brings), without DTDs or external entities (no XXE, no entity expansion). One factory per
 * thread, since the JDK's factory reuses its last reader and is not safe to share.
 */
final class OfficeXml {

    private static final ThreadLocal<XMLInputFactory> FACTORY = ThreadLocal.withInitial(OfficeXml::secured);

    private OfficeXml() {
    }

    /** A reader of {@code in}; closing it does not close {@code in}. */
    static XMLStreamReader reader(InputStream in) throws XMLStreamException {
        return FACTORY.get().createXMLStreamReader(in);
    }

    /** Closes a reader, which holds nothing but its input's buffer. */
    static void close(XMLStreamReader xml) {
        if (xml != null) {
            try {
                xml.close();
            } catch (XMLStreamException ignored) {
                // nothing to release
            }
        }
    }

    private static XMLInputFactory secured() {
        XMLInputFactory factory = XMLInputFactory.newDefaultFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        factory.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
        factory.setProperty(XMLInputFactory.IS_COALESCING, false);
        return factory;
    }

    /**
     * An input whose own failures are kept: the parser turns a failing read into an {@link XMLStreamException} (or lets
     * a runtime exception through), and a caller that treats damaged XML as "nothing found" must still see that the
     * input itself failed (a budget passed, the analysis interrupted) and pass that on ({@link #rethrow}).
     */
    static final class Watched extends FilterInputStream {
        private RuntimeException unchecked;
        private IOException checked;
        private long read;

        Watched(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) <= 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                int n = super.read(b, off, len);
                read += Math.max(n, 0);
                return n;
            } catch (RuntimeException e) {
                unchecked = e;
                throw e;
            } catch (IOException e) {
                checked = e;
                throw e;
            }
        }

        @Override
        public void close() {
            // the caller's stream stays open
        }

        /** Bytes read so far. */
        long bytesRead() {
            return read;
        }

        /** Throws what the input threw, if it did. */
        void rethrow() throws IOException {
            if (unchecked != null) {
                throw unchecked;
            }
            if (checked != null) {
                throw checked;
            }
        }
    }
}
