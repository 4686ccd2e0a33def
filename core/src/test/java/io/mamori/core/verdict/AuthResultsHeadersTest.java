package io.mamori.core.verdict;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RFC 8601 §5: forged Authentication-Results claiming our authserv-id are removed, others kept. */
class AuthResultsHeadersTest {

    @TempDir
    Path temp;

    @Test
    void theAuthservIdIsTheFirstTokenOrQuotedStringAfterComments() {
        assertThat(AuthResultsHeaders.claims(" mamori.test; spf=pass smtp.mailfrom=example.net", "mamori.test")).isTrue();
        assertThat(AuthResultsHeaders.claims(" (forged (nested) comment)\r\n\tMAMORI.Test.; dkim=pass", "mamori.test")).isTrue();
        assertThat(AuthResultsHeaders.claims(" \"mamori.test\" 1; none", "mamori.test")).isTrue();
        assertThat(AuthResultsHeaders.claims(" mamori.test 1 ; none", "mamori.test")).isTrue();
        assertThat(AuthResultsHeaders.claims(" mx.partner.example; dkim=pass header.d=mamori.test", "mamori.test")).isFalse();
        assertThat(AuthResultsHeaders.claims(" mamori.test.evil.example; spf=pass", "mamori.test")).isFalse();
        assertThat(AuthResultsHeaders.claims(" sub.mamori.test; spf=pass", "mamori.test")).isFalse();
        assertThat(AuthResultsHeaders.claims(" (only a comment", "mamori.test")).isFalse();
        assertThat(AuthResultsHeaders.claims("", "mamori.test")).isFalse();
    }

    private static final String MESSAGE = "Received: from x by y; Mon, 1 Apr 2024 09:00:00 +0900\r\n"
            + "Authentication-Results: mx.partner.example; spf=pass smtp.mailfrom=partner.example\r\n"
            + "Authentication-Results: (the sender wrote this)\r\n"
            + "\tmamori.test; spf=pass smtp.mailfrom=bank.example;\r\n"
            + "\tdmarc=pass header.from=bank.example\r\n"
            + "From: support@bank.example\r\n"
            + "authentication-results: MAMORI.TEST; dkim=pass header.d=bank.example\r\n"
            + "Subject: verify\r\n"
            + "\r\n"
            + "Authentication-Results: mamori.test; this line is in the body\r\n";

    @Test
    void onlyTheHeaderBlockIsSearched() throws Exception {
        assertThat(AuthResultsHeaders.present(stream(MESSAGE), "mamori.test")).isTrue();
        assertThat(AuthResultsHeaders.present(stream(MESSAGE), "mx.partner.example")).isTrue();
        assertThat(AuthResultsHeaders.present(stream(MESSAGE), "other.example")).isFalse();
        assertThat(AuthResultsHeaders.present(stream("Subject: a\r\n\r\nAuthentication-Results: mamori.test; x\r\n"),
                "mamori.test")).isFalse();
        assertThat(AuthResultsHeaders.present(stream("Subject: a\nAuthentication-Results:\n mamori.test; x\n\nbody\n"),
                "mamori.test")).as("LF line ends and a folded value").isTrue();
    }

    @Test
    void theGatewaysOwnXMamoriFieldsAreRemovedFromAnArrivingMessageWhoeverWroteThem() throws Exception {
        String forged = "X-Mamori-Verdict: DELIVER; score=0.00;\r\n\tfindings=none\r\n"
                + "Subject: invoice\r\nx-mamori-removed-attachment: yes\r\nX-Mailer: other\r\n\r\n"
                + "X-Mamori-Verdict: in the body stays\r\n";
        assertThat(AuthResultsHeaders.present(stream(forged), "mamori.test")).isTrue();
        assertThat(AuthResultsHeaders.present(stream("Subject: a\r\nX-Mamorii: x\r\n\r\n"), "mamori.test")).isFalse();

        // the byte-for-byte path, and the tree the other transforms use
        for (MessageRewriter.Plan plan : List.of(MessageRewriter.Plan.NONE.removingAuthResultsOf("mamori.test"),
                MessageRewriter.Plan.NONE.removingAuthResultsOf("mamori.test").tagging("[要注意]", List.of()))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            MessageRewriter.Result result = new MessageRewriter(temp).rewrite(stream(forged), out, plan);
            String text = out.toString(StandardCharsets.UTF_8);
            assertThat(result.authResultsRemoved()).isEqualTo(2);
            assertThat(text.substring(0, text.indexOf("\r\n\r\n"))).doesNotContainIgnoringCase("X-Mamori")
                    .doesNotContain("findings=none").contains("X-Mailer: other");
            assertThat(text).contains("X-Mamori-Verdict: in the body stays");
        }
    }

    @Test
    void ourFieldsAreRemovedAndEveryOtherByteStays() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        MessageRewriter.Result result = new MessageRewriter(temp).rewrite(stream(MESSAGE), out,
                MessageRewriter.Plan.NONE.removingAuthResultsOf("mamori.test"));

        assertThat(result.authResultsRemoved()).isEqualTo(2);
        assertThat(out.toString(StandardCharsets.ISO_8859_1)).isEqualTo(
                "Received: from x by y; Mon, 1 Apr 2024 09:00:00 +0900\r\n"
                + "Authentication-Results: mx.partner.example; spf=pass smtp.mailfrom=partner.example\r\n"
                + "From: support@bank.example\r\n"
                + "Subject: verify\r\n"
                + "\r\n"
                + "Authentication-Results: mamori.test; this line is in the body\r\n");
    }

    /**
     * Whether a field is removed depends on how its name is read, and the tree path (every transform but this
     * cleaning alone) reads names with Mime4j: white space before the colon however much of it (RFC 5322 §4.5.8), a
     * fold or a comment there, or white space before the name on the header block's first line, which no field
     * precedes for it to continue. Such a field claiming our authserv-id is ours to remove (RFC 8601 §5) on both
     * paths, and {@link AuthResultsHeaders#present}, which decides whether anything is removed at all, must see it.
     */
    @Test
    void aForgedFieldIsFoundAndRemovedOnBothPathsHoweverItsNameIsPaddedFoldedOrIndented() throws Exception {
        String rest = "From: support@bank.example\r\nSubject: verify\r\n\r\nbody\r\n";
        String[] anywhere = {
            "Authentication-Results" + " ".repeat(50) + ": mamori.test; dmarc=pass header.from=bank.example",
            "Authentication-Results" + "\t".repeat(46) + ": mamori.test; dmarc=pass header.from=bank.example",
            "Authentication-Results" + " ".repeat(20_000) + ": mamori.test; dmarc=pass header.from=bank.example",
            "Authentication-Results" + " ".repeat(40_000) + ": mamori.test; dmarc=pass header.from=bank.example",
            "Authentication-Results\r\n : mamori.test; dmarc=pass header.from=bank.example",
            "Authentication-Results (as written): mamori.test; dmarc=pass header.from=bank.example",
            "X-Mamori-Verdict" + " ".repeat(60) + ": DELIVER; score=0.00",
        };
        List<String> messages = new java.util.ArrayList<>();
        for (String field : anywhere) {
            messages.add(field + "\r\n" + rest);
            messages.add("Received: from x by y; Mon, 1 Apr 2024 09:00:00 +0900\r\n" + field + "\r\n" + rest);
        }
        messages.add(" Authentication-Results: mamori.test; dmarc=pass header.from=bank.example\r\n" + rest);
        messages.add("\t \r\n Authentication-Results: mamori.test; dmarc=pass header.from=bank.example\r\n" + rest);
        for (String message : messages) {
            String shown = message.substring(0, Math.min(message.length(), 90));
            String expected = message.substring(message.indexOf("From: "));
            if (message.startsWith("Received")) {
                expected = "Received: from x by y; Mon, 1 Apr 2024 09:00:00 +0900\r\n" + expected;
            }
            assertThat(AuthResultsHeaders.present(stream(message), "mamori.test")).as(shown).isTrue();

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            MessageRewriter.Result bytewise = new MessageRewriter(temp).rewrite(stream(message), out,
                    MessageRewriter.Plan.NONE.removingAuthResultsOf("mamori.test"));
            assertThat(bytewise.authResultsRemoved()).as(shown).isEqualTo(1);
            assertThat(out.toString(StandardCharsets.ISO_8859_1)).as(shown).isEqualTo(expected);

            out.reset();
            MessageRewriter.Result tree = new MessageRewriter(temp).rewrite(stream(message), out,
                    MessageRewriter.Plan.NONE.removingAuthResultsOf("mamori.test").tagging("[!]", List.of()));
            assertThat(tree.authResultsRemoved()).as(shown).isEqualTo(1);
            assertThat(out.toString(StandardCharsets.ISO_8859_1)).as(shown).doesNotContain("mamori.test")
                    .doesNotContain("DELIVER").contains("From: support@bank.example");
        }
        // after the first line, such a line continues the field before it, on both paths: it is From's, not a field
        String folded = "From: support@bank.example\r\n Authentication-Results: mamori.test; dmarc=pass\r\n"
                + "Subject: verify\r\n\r\nbody\r\n";
        assertThat(AuthResultsHeaders.present(stream(folded), "mamori.test")).isFalse();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(AuthResultsHeaders.remove(stream(folded), out, "mamori.test")).isZero();
        assertThat(out.toString(StandardCharsets.ISO_8859_1)).isEqualTo(folded);
    }

    /**
     * A forged field put on top of each corpus message (broken ones, LF line ends and mbox "From " lines included)
     * is removed and the message comes out byte for byte as it was, so downstream DKIM verification still sees what
     * the signer signed.
     */
    @Test
    void removingAForgedFieldLeavesEveryCorpusMessageByteIdentical() throws Exception {
        java.util.List<String> changed = new java.util.ArrayList<>();
        int messages = 0;
        for (Path f : CorpusFiles.messages()) {
            byte[] original = java.nio.file.Files.readAllBytes(f);
            ByteArrayOutputStream forged = new ByteArrayOutputStream();
            forged.write("Authentication-Results: mamori.test; dmarc=pass header.from=bank.example\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            forged.write(original);
            ByteArrayOutputStream out = new ByteArrayOutputStream();

            MessageRewriter.Result r = new MessageRewriter(temp).rewrite(new ByteArrayInputStream(forged.toByteArray()), out,
                    MessageRewriter.Plan.NONE.removingAuthResultsOf("mamori.test"));

            messages++;
            if (r.authResultsRemoved() < 1 || !java.util.Arrays.equals(out.toByteArray(), original)) {
                changed.add(f.toString());
            }
        }
        assertThat(changed).isEmpty();
        assertThat(messages).isGreaterThan(CorpusFiles.expectedMessages());
    }

    @Test
    void aHugeFieldIsJudgedOnItsStartAndNeverHeldWhole() throws Exception {
        String huge = "Authentication-Results: (" + "x".repeat(200_000) + ") mamori.test; spf=pass\r\n";
        String other = "Authentication-Results: mx.partner.example; dkim=pass (" + "y".repeat(200_000) + ")\r\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        int removed = AuthResultsHeaders.remove(stream(huge + other + "Subject: a\r\n\r\nbody\r\n"), out, "mamori.test");

        assertThat(removed).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.ISO_8859_1)).isEqualTo(other + "Subject: a\r\n\r\nbody\r\n");
    }

    private static ByteArrayInputStream stream(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.ISO_8859_1));
    }
}
