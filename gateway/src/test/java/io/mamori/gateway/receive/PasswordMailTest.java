package io.mamori.gateway.receive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mamori.core.analysis.PasswordMail;
import io.mamori.core.attachment.EncryptedFiles;
import io.mamori.core.message.Direction;
import io.mamori.core.message.Envelope;
import io.mamori.core.store.MessageQuery;
import io.mamori.core.store.MessageState;
import io.mamori.core.store.StoredMessage;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PPAP's パスワード別送 against a real store (embedded H2) and the real analyzers: a message quarantined for a
 * password-protected zip is opened with the password a later mail of the same sender gives, and then kept with what
 * was found, or committed again for delivery when the policy lets its content decide.
 */
class PasswordMailTest {

    private static final String SENDER = "a@partner.example";
    private static final String RECIPIENT = "b@example.co.jp";
    private static final String PASSWORD = "Mitsumori-2025";
    private static final String POLICY = """
            version: 1
            organisation:
              name: テスト
              internal_domains: [example.co.jp]
            inbound:
              thresholds: {tag: 40, quarantine: 50}
              forced: {ATTACHMENT_EXECUTABLE: QUARANTINE}
            outbound:
              thresholds: {tag: 40}
            """;
    /** The organisation lets the content of an opened attachment decide. */
    private static final String BY_CONTENT = POLICY + "attachments:\n  opened: score\n";

    @TempDir
    Path dir;

    private TestReception.Rig rig;
    private ReceptionPipeline reception;

    @BeforeEach
    void start() throws Exception {
        rig = TestReception.Rig.open(dir);
        // the password mail's work runs on the receiving thread here, so that each step can be checked in turn
        reception = pipeline(POLICY, Runnable::run);
    }

    private ReceptionPipeline pipeline(String policyText, Executor passwordMailWork) throws Exception {
        return TestReception.pipeline(rig, dir, policyText, null, passwordMailWork, null, List.of());
    }

    @AfterEach
    void stop() {
        rig.close();
    }

    private StoredMessage receive(String from, String to, Instant at, String message) throws Exception {
        Envelope envelope = new Envelope(Direction.INBOUND, from, List.of(to), "192.0.2.10", "client.partner.example",
                null, false, at);
        ReceiveResult r = reception.receive(envelope, new ByteArrayInputStream(message.getBytes(StandardCharsets.UTF_8)));
        assertThat(r).isInstanceOf(ReceiveResult.Accepted.class);
        return rig.store().find(((ReceiveResult.Accepted) r).queueId()).orElseThrow();
    }

    private StoredMessage receive(String message) throws Exception {
        return receive(SENDER, RECIPIENT, Instant.now(), message);
    }

    private static String withZip(byte[] zip) {
        return "From: " + SENDER + "\r\nTo: " + RECIPIENT + "\r\nSubject: お見積書\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
                + "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nお見積書をお送りします。パスワードは別途お送りします。\r\n"
                + "--b\r\nContent-Type: application/zip; name=\"mitsumori.zip\"\r\n"
                + "Content-Disposition: attachment; filename=\"mitsumori.zip\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + Base64.getMimeEncoder().encodeToString(zip) + "\r\n--b--\r\n";
    }

    private static String passwordMail(String password) {
        return "From: " + SENDER + "\r\nTo: " + RECIPIENT + "\r\nSubject: パスワードのお知らせ\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\n\r\n先ほどお送りしたファイルのパスワードです。\r\nパスワード：" + password + "\r\n";
    }

    private static byte[] cleanZip() throws Exception {
        return EncryptedFiles.zip(PASSWORD, true, "見積書.txt", "お見積り金額 120,000 円".getBytes(StandardCharsets.UTF_8));
    }

    private StoredMessage now(StoredMessage m) {
        return rig.store().find(m.id()).orElseThrow();
    }

    private String content(String id) throws Exception {
        try (InputStream in = rig.store().openContent(id)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void byDefaultTheOpenedMessageStaysQuarantinedWithWhatItsContentShowed() throws Exception {
        StoredMessage zip = receive(withZip(cleanZip()));
        assertThat(zip.state()).isEqualTo(MessageState.QUARANTINED);
        assertThat(zip.findingCodes()).isEqualTo("ENCRYPTED_ARCHIVE");

        StoredMessage password = receive(passwordMail(PASSWORD));

        assertThat(password.state()).as("the password mail itself is ordinary mail").isEqualTo(MessageState.QUEUED);
        StoredMessage after = now(zip);
        assertThat(after.state()).as("attachments.opened follows encrypted: quarantine").isEqualTo(MessageState.QUARANTINED);
        assertThat(after.findingCodes()).isEqualTo("ENCRYPTED_ARCHIVE_OPENED,ARCHIVE_PASSWORD_SENT_SEPARATELY");
        assertThat(after.action()).isEqualTo("QUARANTINE");
    }

    @Test
    void whenTheContentDecidesACleanOpenedMessageIsCommittedAgainAndTheQuarantinedCopyDeleted() throws Exception {
        reception = pipeline(BY_CONTENT, Runnable::run);
        byte[] zip = cleanZip();
        StoredMessage quarantined = receive(withZip(zip));
        assertThat(quarantined.state()).isEqualTo(MessageState.QUARANTINED);

        StoredMessage password = receive(passwordMail(PASSWORD));

        assertThat(now(quarantined).state()).isEqualTo(MessageState.DELETED);
        List<StoredMessage> queued = rig.store().search(new MessageQuery(null, SENDER, null, "お見積書", null,
                MessageState.QUEUED, Direction.INBOUND, null, null, null, 0, 10));
        assertThat(queued).hasSize(1);
        StoredMessage released = queued.get(0);
        assertThat(released.id()).isNotEqualTo(quarantined.id());
        assertThat(released.recipients()).extracting(r -> r.address()).containsExactly(RECIPIENT);
        assertThat(released.findingCodes()).isEqualTo("ENCRYPTED_ARCHIVE_OPENED,ARCHIVE_PASSWORD_SENT_SEPARATELY");
        String content = content(released.id());
        assertThat(content).contains("X-Mamori-Verdict: DELIVER; score=6.00; findings=ENCRYPTED_ARCHIVE_OPENED,\r\n"
                + "\tARCHIVE_PASSWORD_SENT_SEPARATELY; password-mail=" + password.id() + "; reassessed=" + quarantined.id()
                + "\r\n");
        assertThat(content).as("the attachment as it came").contains(Base64.getMimeEncoder().encodeToString(zip));
    }

    @Test
    void anAnalystsPasswordCommitsTheChangeWithTheWorkAlongsideOrNothing() throws Exception {
        reception = pipeline(BY_CONTENT, Runnable::run);
        StoredMessage quarantined = receive(withZip(cleanZip()));
        PasswordMail analyst = PasswordMail.fromAnalyst("analyst@example.co.jp", PASSWORD);

        // the work fails (an audit entry that cannot be written): the quarantined message stays, its copy is withdrawn
        assertThatThrownBy(() -> reception.reassess(quarantined.id(), analyst, outcome -> (c, changed) -> {
            throw new java.sql.SQLException("entry refused");
        })).hasMessageContaining("entry refused");
        assertThat(now(quarantined).state()).isEqualTo(MessageState.QUARANTINED);
        assertThat(rig.store().search(new MessageQuery(null, SENDER, null, "お見積書", null, MessageState.QUEUED,
                Direction.INBOUND, null, null, null, 0, 10))).as("no copy left to deliver").isEmpty();

        // the work sees the deletion on its transaction and is told of it
        List<String> seen = new java.util.ArrayList<>();
        ReceptionPipeline.Reassessment r = reception.reassess(quarantined.id(), analyst, outcome -> (c, changed) -> {
            try (java.sql.PreparedStatement q = c.prepareStatement("SELECT state FROM messages WHERE id = ?")) {
                q.setString(1, quarantined.id());
                try (java.sql.ResultSet rs = q.executeQuery()) {
                    rs.next();
                    seen.add(outcome.outcome() + " " + changed + " " + rs.getString(1));
                }
            }
        });
        assertThat(r.outcome()).isEqualTo(ReceptionPipeline.Reassessment.Outcome.COMMITTED_AGAIN);
        assertThat(seen).containsExactly("COMMITTED_AGAIN true DELETED");
        assertThat(now(quarantined).state()).isEqualTo(MessageState.DELETED);
        assertThat(rig.store().find(r.committedAs()).orElseThrow().state()).isEqualTo(MessageState.QUEUED);
    }

    @Test
    void aVerdictRevisedForAnAnalystsPasswordIsKeptOnlyWithTheWorkAlongside() throws Exception {
        StoredMessage quarantined = receive(withZip(cleanZip()));
        PasswordMail analyst = PasswordMail.fromAnalyst("analyst@example.co.jp", PASSWORD);
        assertThatThrownBy(() -> reception.reassess(quarantined.id(), analyst, outcome -> (c, changed) -> {
            throw new java.sql.SQLException("entry refused");
        })).hasMessageContaining("entry refused");
        assertThat(now(quarantined).findingCodes()).as("not revised").isEqualTo("ENCRYPTED_ARCHIVE");

        ReceptionPipeline.Reassessment r = reception.reassess(quarantined.id(), analyst,
                outcome -> io.mamori.gateway.store.Transactions.NOTHING_ALONGSIDE);
        assertThat(r.outcome()).isEqualTo(ReceptionPipeline.Reassessment.Outcome.KEPT);
        assertThat(now(quarantined).findingCodes()).isEqualTo("ENCRYPTED_ARCHIVE_OPENED,ARCHIVE_PASSWORD_FROM_ANALYST");
    }

    @Test
    void anAnalystsPasswordWhileTheGatewayIsTooBusyChangesNothingAndSaysSo() throws Exception {
        StoredMessage quarantined = receive(withZip(cleanZip()));
        rig.analysis().shutdown(); // the analyzers' pool takes no work, as when every thread is busy past the queue limit

        ReceptionPipeline.Reassessment r = reception.reassess(quarantined.id(),
                PasswordMail.fromAnalyst("analyst@example.co.jp", PASSWORD), outcome -> (c, changed) -> {
                    throw new AssertionError("nothing to record: nothing changed");
                });

        assertThat(r.outcome()).as("not \"the password did not open it\"")
                .isEqualTo(ReceptionPipeline.Reassessment.Outcome.ANALYSIS_BUSY);
        assertThat(now(quarantined).state()).isEqualTo(MessageState.QUARANTINED);
        assertThat(now(quarantined).findingCodes()).isEqualTo("ENCRYPTED_ARCHIVE");
    }

    @Test
    void anEmployeesPendingReleaseRequestIsApprovedByTheGatewayWhenTheMessageIsCommittedAgain() throws Exception {
        io.mamori.gateway.quarantine.ReleaseRequests requests =
                new io.mamori.gateway.quarantine.ReleaseRequests(rig.dataSource(), Clock.systemUTC());
        reception = TestReception.pipeline(rig, dir, BY_CONTENT, null, Runnable::run, requests, List.of());
        StoredMessage quarantined = receive(withZip(cleanZip()));
        long asked = requests.create(quarantined.id(), RECIPIENT, "見積書が届かないので確認したいです").id();

        receive(passwordMail(PASSWORD));

        var request = requests.find(asked).orElseThrow();
        StoredMessage released = rig.store().search(new MessageQuery(null, SENDER, null, "お見積書", null, MessageState.QUEUED,
                Direction.INBOUND, null, null, null, 0, 10)).get(0);
        assertThat(request.status()).isEqualTo(io.mamori.gateway.quarantine.ReleaseRequests.Status.APPROVED);
        assertThat(request.decidedBy()).isEqualTo("mamori");
        assertThat(request.decisionReason()).contains(released.id()).contains("パスワードで開いて検査し");
    }

    @Test
    void aPendingReleaseRequestFollowsACopyThatIsHeldInItsTurnInsteadOfBeingApproved() throws Exception {
        io.mamori.gateway.quarantine.ReleaseRequests requests =
                new io.mamori.gateway.quarantine.ReleaseRequests(rig.dataSource(), Clock.systemUTC());
        // this organisation holds a message whose password came by mail for a person to look at
        String holding = BY_CONTENT.replace("forced: {ATTACHMENT_EXECUTABLE: QUARANTINE}",
                "forced: {ATTACHMENT_EXECUTABLE: QUARANTINE, ARCHIVE_PASSWORD_SENT_SEPARATELY: HOLD}");
        reception = TestReception.pipeline(rig, dir, holding, null, Runnable::run, requests, List.of());
        StoredMessage quarantined = receive(withZip(cleanZip()));
        long asked = requests.create(quarantined.id(), RECIPIENT, "確認したいです").id();

        receive(passwordMail(PASSWORD));

        StoredMessage held = rig.store().search(new MessageQuery(null, SENDER, null, "お見積書", null, MessageState.HELD,
                Direction.INBOUND, null, null, null, 0, 10)).get(0);
        var request = requests.find(asked).orElseThrow();
        assertThat(request.status()).as("an approver decides about the held copy")
                .isEqualTo(io.mamori.gateway.quarantine.ReleaseRequests.Status.PENDING);
        assertThat(request.messageId()).isEqualTo(held.id());
        assertThat(now(quarantined).state()).isEqualTo(MessageState.DELETED);
    }

    @Test
    void anAnalystsReleaseWhileTheMessageIsOpenedStandsAndTheCopyIsWithdrawn() throws Exception {
        // the analyst releases the quarantined message while the password mail's analysis of it runs: an analyzer of
        // that analysis makes the release at exactly that moment
        java.util.concurrent.atomic.AtomicReference<String> target = new java.util.concurrent.atomic.AtomicReference<>();
        io.mamori.core.analysis.Analyzer analystMeanwhile = new io.mamori.core.analysis.Analyzer() {
            @Override
            public String name() {
                return "analyst-meanwhile";
            }

            @Override
            public List<io.mamori.core.analysis.Finding> analyze(io.mamori.core.analysis.AnalysisInput input) {
                if (input.separatePasswords().isPresent() && target.get() != null) {
                    rig.store().transition(target.get(), MessageState.QUEUED);
                }
                return List.of();
            }
        };
        reception = TestReception.pipeline(rig, dir, BY_CONTENT, null, Runnable::run, null,
                List.of(analystMeanwhile));
        StoredMessage quarantined = receive(withZip(cleanZip()));
        target.set(quarantined.id());

        receive(passwordMail(PASSWORD));

        assertThat(now(quarantined).state()).as("the analyst's release stands").isEqualTo(MessageState.QUEUED);
        List<StoredMessage> copies = rig.store().search(new MessageQuery(null, SENDER, null, "お見積書", null, null,
                Direction.INBOUND, null, null, null, 0, 10));
        assertThat(copies).extracting(StoredMessage::state).as("the re-judged copy is withdrawn, not delivered twice")
                .containsExactlyInAnyOrder(MessageState.QUEUED, MessageState.DELETED);
    }

    @Test
    void whatTheOpenedContentHoldsKeepsItQuarantinedWhateverThePolicyLetsDecide() throws Exception {
        reception = pipeline(BY_CONTENT, Runnable::run);
        byte[] program = new byte[512];
        program[0] = 'M';
        program[1] = 'Z';
        StoredMessage quarantined = receive(withZip(EncryptedFiles.zip(PASSWORD, true, "見積書.exe", program)));

        receive(passwordMail(PASSWORD));

        StoredMessage after = now(quarantined);
        assertThat(after.state()).isEqualTo(MessageState.QUARANTINED);
        assertThat(after.findingCodes()).contains("ENCRYPTED_ARCHIVE_OPENED", "ARCHIVE_PASSWORD_SENT_SEPARATELY",
                "ATTACHMENT_EXECUTABLE").doesNotContain("ENCRYPTED_ARCHIVE,");
        assertThat(rig.store().search(new MessageQuery(null, SENDER, null, "お見積書", null, MessageState.QUEUED,
                Direction.INBOUND, null, null, null, 0, 10))).isEmpty();
    }

    @Test
    void onlyAPasswordMailOfTheSameSenderToTheSameRecipientInTimeThatOpensItChangesAnything() throws Exception {
        reception = pipeline(BY_CONTENT, Runnable::run);
        StoredMessage quarantined = receive(withZip(cleanZip()));

        receive("someone@elsewhere.example", RECIPIENT, Instant.now(), passwordMail(PASSWORD));
        receive(SENDER, "c@example.co.jp", Instant.now(), passwordMail(PASSWORD));
        receive(SENDER, RECIPIENT, Instant.now().plus(Duration.ofMinutes(31)), passwordMail(PASSWORD));
        receive(passwordMail("Wrong-Password-1"));
        receive(SENDER, RECIPIENT, Instant.now(), "From: " + SENDER + "\r\nSubject: x\r\n\r\nno password here\r\n");

        StoredMessage after = now(quarantined);
        assertThat(after.state()).isEqualTo(MessageState.QUARANTINED);
        assertThat(after.findingCodes()).isEqualTo("ENCRYPTED_ARCHIVE");
    }

    @Test
    void aPasswordMailThatCameFirstOpensTheMessageQuarantinedAfterIt() throws Exception {
        // both mails sent at once by the sender's PPAP system: the password may overtake the zip
        StoredMessage password = receive(passwordMail(PASSWORD));
        StoredMessage zip = receive(withZip(cleanZip()));

        StoredMessage after = now(zip);
        assertThat(after.state()).as("attachments.opened follows encrypted: quarantine").isEqualTo(MessageState.QUARANTINED);
        assertThat(after.findingCodes()).isEqualTo("ENCRYPTED_ARCHIVE_OPENED,ARCHIVE_PASSWORD_SENT_SEPARATELY");
        assertThat(now(password).state()).as("the password mail itself is ordinary mail").isEqualTo(MessageState.QUEUED);
    }

    @Test
    void withStripThePasswordMailBeforeOrAfterOpensTheKeptOriginalAndTheWholeMessageFollowsTheStrippedCopy()
            throws Exception {
        reception = pipeline(POLICY + "attachments:\n  encrypted: strip\n  opened: score\n", Runnable::run);
        for (boolean passwordFirst : new boolean[] {true, false}) {
            StoredMessage password = passwordFirst ? receive(passwordMail(PASSWORD)) : null;
            StoredMessage stripped = receive(withZip(cleanZip()));
            assertThat(stripped.state()).as("the copy without the zip is delivered").isEqualTo(MessageState.QUEUED);
            String original = content(stripped.id()).replaceAll("(?s).*; original=([^;\\s]+).*", "$1");
            if (!passwordFirst) {
                password = receive(passwordMail(PASSWORD));
            }

            assertThat(now(rig.store().find(original).orElseThrow()).state()).as("password first: " + passwordFirst)
                    .isEqualTo(MessageState.DELETED);
            List<StoredMessage> whole = rig.store().search(new MessageQuery(null, SENDER, null, "お見積書", null,
                    MessageState.QUEUED, Direction.INBOUND, null, null, null, 0, 10)).stream()
                    .filter(m -> !m.id().equals(stripped.id())).toList();
            assertThat(whole).hasSize(1);
            assertThat(content(whole.get(0).id())).contains("; password-mail=" + password.id() + "; reassessed="
                    + original + "\r\n");
            for (String done : List.of(whole.get(0).id(), stripped.id(), password.id())) {
                rig.store().transition(done, MessageState.DELETED); // the next round starts from an empty mailbox
            }
        }
    }

    @Test
    void earlierMailsAreTriedNewestFirstUntilOneOpensAndTheCopyNamesThatOne() throws Exception {
        reception = pipeline(BY_CONTENT, Runnable::run);
        StoredMessage right = receive(passwordMail(PASSWORD));
        receive(passwordMail("Wrong-Password-1"));
        StoredMessage quarantined = receive(withZip(cleanZip()));

        assertThat(now(quarantined).state()).isEqualTo(MessageState.DELETED);
        List<StoredMessage> queued = rig.store().search(new MessageQuery(null, SENDER, null, "お見積書", null,
                MessageState.QUEUED, Direction.INBOUND, null, null, null, 0, 10));
        assertThat(queued).hasSize(1);
        assertThat(content(queued.get(0).id())).contains("; password-mail=" + right.id() + "; reassessed="
                + quarantined.id() + "\r\n");
    }

    @Test
    void onlyAnEarlierMailOfTheSameSenderToTheSameRecipientInTimeThatOpensItChangesAnything() throws Exception {
        reception = pipeline(BY_CONTENT, Runnable::run);
        receive("someone@elsewhere.example", RECIPIENT, Instant.now(), passwordMail(PASSWORD));
        receive(SENDER, "c@example.co.jp", Instant.now(), passwordMail(PASSWORD));
        receive(passwordMail("Wrong-Password-1"));
        receive(SENDER, RECIPIENT, Instant.now(), "From: " + SENDER + "\r\nSubject: x\r\n\r\nno password here\r\n");
        StoredMessage deleted = receive(passwordMail(PASSWORD));
        rig.store().transition(deleted.id(), MessageState.DELETED);

        StoredMessage quarantined = receive(withZip(cleanZip()));

        assertThat(now(quarantined).state()).isEqualTo(MessageState.QUARANTINED);
        assertThat(now(quarantined).findingCodes()).isEqualTo("ENCRYPTED_ARCHIVE");
    }

    @Test
    void aPasswordMailMoreThanTheWindowBeforeTheMessageIsNotTried() throws Exception {
        receive(passwordMail(PASSWORD));
        StoredMessage late = receive(SENDER, RECIPIENT, Instant.now().plus(Duration.ofMinutes(31)), withZip(cleanZip()));
        StoredMessage inTime = receive(SENDER, RECIPIENT, Instant.now().plus(Duration.ofMinutes(29)), withZip(cleanZip()));

        assertThat(now(late).findingCodes()).isEqualTo("ENCRYPTED_ARCHIVE");
        assertThat(now(inTime).findingCodes()).isEqualTo("ENCRYPTED_ARCHIVE_OPENED,ARCHIVE_PASSWORD_SENT_SEPARATELY");
    }

    @Test
    void theWindowCanBeTurnedOff() throws Exception {
        reception = pipeline(BY_CONTENT + "  password_mail_minutes: 0\n", Runnable::run);
        StoredMessage quarantined = receive(withZip(cleanZip()));

        receive(passwordMail(PASSWORD));

        assertThat(now(quarantined).findingCodes()).isEqualTo("ENCRYPTED_ARCHIVE");
    }

    @Test
    void theReplyToAPasswordMailWaitsForNoLookUpInTheStore() throws Exception {
        List<Runnable> queued = new java.util.ArrayList<>();
        reception = pipeline(POLICY, queued::add);
        StoredMessage quarantined = receive(withZip(cleanZip()));
        queued.clear();

        // only the text is searched before the reply: the look-up of what waits for it is queued, even when nothing does
        receive("someone.else@partner.example", RECIPIENT, Instant.now(), passwordMail(PASSWORD));
        assertThat(queued).hasSize(1);
        receive(passwordMail(PASSWORD));
        assertThat(queued).hasSize(2);
        assertThat(now(quarantined).findingCodes()).isEqualTo("ENCRYPTED_ARCHIVE");

        queued.forEach(Runnable::run);
        assertThat(now(quarantined).findingCodes()).isEqualTo("ENCRYPTED_ARCHIVE_OPENED,ARCHIVE_PASSWORD_SENT_SEPARATELY");
    }

    @Test
    void onItsOwnThreadThePasswordMailIsAnsweredFirstAndTheMessageOpenedAfter() throws Exception {
        ExecutorService work = Executors.newSingleThreadExecutor();
        try {
            reception = pipeline(POLICY, work);
            StoredMessage quarantined = receive(withZip(cleanZip()));

            receive(passwordMail(PASSWORD));

            work.shutdown();
            assertThat(work.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
            assertThat(now(quarantined).findingCodes()).isEqualTo("ENCRYPTED_ARCHIVE_OPENED,ARCHIVE_PASSWORD_SENT_SEPARATELY");
        } finally {
            work.shutdownNow();
        }
    }
}
