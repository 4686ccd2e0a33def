package io.mamori.console.notice;

import io.mamori.core.analysis.Action;
import io.mamori.core.analysis.Verdict;
import io.mamori.core.message.Direction;
import io.mamori.core.message.Envelope;
import io.mamori.core.policy.Policy;
import io.mamori.core.store.MessageState;
import io.mamori.core.store.MessageStore;
import io.mamori.core.store.NewMessage;
import io.mamori.core.store.Spool;
import io.mamori.core.store.StoredMessage;
import io.mamori.core.text.InvalidInput;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends notices to employees through the gateway itself: each notice is rendered from its templates
 * ({@link NoticeTemplates}), written as a MIME message and committed to the {@link MessageStore} as a QUEUED
 * message, so the normal delivery, retry and DSN apply. A recipient in an internal domain is routed like inbound
 * mail (to the mailbox service's next hop), anyone else like outbound mail. The envelope sender and From are
 * {@code mamori.notices.from} (default {@code mamori-noreply@<first internal domain>}), so a notice that cannot be
 * delivered comes back there as a DSN.
 *
 * <p>Language: a user whose language is known ({@code ja}/{@code en}) gets that language only; otherwise one
 * mail with Japanese first, then English. {@code {company}} is the policy's organisation name.
 *
 * <p>Thread-safe. The identity code calls {@link #accessChanged} after it changed a user's roles or access, and
 * {@link #mfaReminder} for users without MFA; the human action that caused a notice is audited by the caller.
 */
public final class Notices {

    /**
     * @param from     the From (and envelope sender) of notices; empty for {@code mamori-noreply@<first internal domain>}
     * @param setupUrl the console's MFA enrollment page, for {@code {setupUrl}}; empty until the console has one
     * @param hostname this gateway's host name (Message-ID, Received)
     * @param zone     time zone of dates in notices
     */
    public record Settings(String from, String setupUrl, String hostname, ZoneId zone) {
        public Settings {
            from = from == null ? "" : from.trim();
            setupUrl = setupUrl == null ? "" : setupUrl.trim();
            Objects.requireNonNull(hostname, "hostname");
            Objects.requireNonNull(zone, "zone");
            if (!from.isEmpty()) {
                NoticeMail.mailbox(from, "mamori.notices.from");
            }
            if (!setupUrl.isEmpty() && !setupUrl.matches("https?://\\S+")) {
                throw new InvalidInput("mamori.notices.setup-url: not an http(s) URL: " + setupUrl,
                        "mamori.notices.setup-url: http(s) の URL ではありません: " + setupUrl);
            }
        }
    }

    /**
     * One line of "what changed" in an {@code access-changed} notice, worded in both notice languages: the Japanese
     * part of a notice lists {@code ja}, the English part {@code en}. Values that are not translated (names,
     * addresses, department names) appear as they are in both.
     */
    public record Change(String ja, String en) {
        public Change {
            Objects.requireNonNull(ja, "ja");
            Objects.requireNonNull(en, "en");
        }

        /** The line in {@code language}. */
        public String text(NoticeLanguage language) {
            return language == NoticeLanguage.JA ? ja : en;
        }
    }

    /** A notice as the recipient will read it. */
    public record Rendered(String subject, String body, String contentLanguage) {
    }

    static final int MAX_CHANGES = 100;
    static final int MAX_VALUE = 500;
    private static final Logger LOG = LoggerFactory.getLogger("mamori.notice");
    private static final DateTimeFormatter RFC5322 = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ROOT);
    private static final String SEPARATOR = "\n\n――――――――――――――――――――――――――――――――――――――――\n\n";

    private final MessageStore store;
    private final NoticeTemplates templates;
    private final Supplier<Policy> policy;
    private final Settings settings;
    private final Clock clock;

    public Notices(MessageStore store, NoticeTemplates templates, Supplier<Policy> policy, Settings settings, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.templates = Objects.requireNonNull(templates, "templates");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Tells a user that their roles or access changed.
     *
     * @param language the user's language ({@code ja}, {@code en}, {@code ja-JP} …); null or unknown sends both
     * @param changes  what changed, one item per line of the notice, each in Japanese and English (e.g.
     *                 {@code new Change("役割: 承認者 → 管理者", "Roles: approver → administrator")}); not empty
     * @return the queue id of the notice
     * @throws NoticeTemplateException if a template in use is invalid (it names file, line and column), or uses
     *                                 {@code {setupUrl}} while {@code mamori.notices.setup-url} is empty
     * @throws InvalidInput            if the recipient's address is not one (Japanese and English)
     * @throws IOException             if the notice could not be stored
     */
    public String accessChanged(String recipientEmail, String userName, String department, String language,
            List<Change> changes) throws NoticeTemplateException, IOException {
        if (changes == null || changes.isEmpty()) {
            throw new IllegalArgumentException("an access-changed notice needs at least one change");
        }
        return send(NoticeKind.ACCESS_CHANGED, recipientEmail, userName, department, language, changes);
    }

    /** Reminds a user without multi-factor authentication to enroll; see {@link #accessChanged} for the rest. */
    public String mfaReminder(String recipientEmail, String userName, String department, String language)
            throws NoticeTemplateException, IOException {
        return send(NoticeKind.MFA_REMINDER, recipientEmail, userName, department, language, List.of());
    }

    /** Renders and queues one notice; returns its queue id. */
    public String send(NoticeKind kind, String recipientEmail, String userName, String department, String language,
            List<Change> changes) throws NoticeTemplateException, IOException {
        String to = NoticeMail.mailbox(recipientEmail, null).getAddress();
        String name = oneLine(userName);
        Rendered notice = render(kind, NoticeLanguage.of(language), name, department, changes);
        Policy current = policy.get();
        NoticeMail mail = new NoticeMail(from(current), settings.hostname(), settings.zone());
        Instant now = clock.instant();
        byte[] bytes = mail.compose(to, name, notice.subject(), notice.body(), notice.contentLanguage(), now);
        Direction direction = current.isInternal(to) ? Direction.INBOUND : Direction.OUTBOUND;
        Envelope envelope = new Envelope(direction, mail.fromAddress(), List.of(to), "127.0.0.1", settings.hostname(),
                null, false, now);
        StoredMessage stored;
        try (Spool spool = store.openSpool()) {
            try (OutputStream out = spool.output()) {
                out.write(bytes);
            }
            String received = "Received: by " + settings.hostname() + " (Mamori notice) id " + spool.id() + "\r\n\tfor <"
                    + to + ">; " + RFC5322.format(ZonedDateTime.ofInstant(now, settings.zone())) + "\r\n";
            stored = store.commit(spool, new NewMessage(envelope, notice.subject(),
                    new Verdict(Action.DELIVER, 0, List.of()), MessageState.QUEUED), received);
        }
        LOG.info("notice {} queued id={} to=<{}> direction={} language={}", kind.fileName(), stored.id(), to,
                direction.lowerName(), notice.contentLanguage());
        return stored.id();
    }

    /**
     * The notice as it would be sent (for a preview in the console, or a dry run). {@code language} empty means
     * Japanese then English.
     *
     * @throws NoticeTemplateException if a template in use is invalid, or uses {@code {setupUrl}} while
     *                                 {@code mamori.notices.setup-url} is empty
     */
    public Rendered render(NoticeKind kind, Optional<NoticeLanguage> language, String userName, String department,
            List<Change> changes) throws NoticeTemplateException {
        List<NoticeLanguage> languages = language.map(List::of).orElse(List.of(NoticeLanguage.values()));
        List<String> subjects = new ArrayList<>();
        List<String> bodies = new ArrayList<>();
        for (NoticeLanguage l : languages) {
            NoticeTemplate template = templates.template(kind, l);
            if (template.uses("setupUrl") && settings.setupUrl().isEmpty()) {
                // the template is fine, but cannot be used until the setting it needs is there
                throw new NoticeTemplateException(List.of(new NoticeTemplateException.Problem(template.source(), 0, 0,
                        "mamori.notices.setup-url が設定されていないため、{setupUrl} を使うこのテンプレートで通知を作れません"
                                + " / mamori.notices.setup-url is not set, and this template uses {setupUrl}")));
            }
            Map<String, String> values = values(l, userName, department, changes);
            subjects.add(oneLine(template.subject(values)));
            bodies.add(template.body(values));
        }
        return new Rendered(String.join(" / ", subjects), String.join(SEPARATOR, bodies),
                String.join(", ", languages.stream().map(NoticeLanguage::tag).toList()));
    }

    private Map<String, String> values(NoticeLanguage language, String userName, String department, List<Change> changes) {
        Map<String, String> v = new HashMap<>();
        v.put("company", oneLine(policy.get().organisation().name()));
        v.put("department", oneLine(department));
        v.put("userName", oneLine(userName));
        v.put("setupUrl", settings.setupUrl());
        String bullet = language == NoticeLanguage.JA ? "・" : "- ";
        StringBuilder list = new StringBuilder();
        List<Change> items = changes == null ? List.of() : changes;
        for (int i = 0; i < items.size() && i < MAX_CHANGES; i++) {
            if (i > 0) {
                list.append('\n');
            }
            list.append(bullet).append(oneLine(items.get(i).text(language)));
        }
        if (items.size() > MAX_CHANGES) {
            list.append('\n').append(bullet).append(language == NoticeLanguage.JA
                    ? "ほか " + (items.size() - MAX_CHANGES) + " 件" : "and " + (items.size() - MAX_CHANGES) + " more");
        }
        v.put("changes", list.toString());
        return v;
    }

    /** The From: {@code mamori.notices.from}, or {@code mamori-noreply@} the first plain internal domain. */
    String from(Policy current) {
        if (!settings.from().isEmpty()) {
            return settings.from();
        }
        List<Policy.DomainPattern> domains = current.organisation().internalDomains();
        Policy.DomainPattern domain = domains.stream().filter(d -> !d.subdomains()).findFirst().orElse(domains.get(0));
        return "mamori-noreply@" + domain.domain();
    }

    /** A value for one line: control characters (CR, LF, tab …) become spaces, and it is cut at a sane length. */
    static String oneLine(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(Math.min(s.length(), MAX_VALUE));
        for (int i = 0; i < s.length() && b.length() < MAX_VALUE; i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) || c == '\u2028' || c == '\u2029' ? ' ' : c);
        }
        return b.toString().strip();
    }
}
