package io.mamori.core.message;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MailboxTest {

    @Test
    void theSenderIsTheFirstMailboxWithEverythingTheFieldShowsAsItsName() {
        assertThat(Mailbox.sender("\"Tanaka, Taro\" <taro@example.co.jp>")).contains(
                new Mailbox("Tanaka, Taro", "taro@example.co.jp"));
        // an unquoted comma: the first mailbox's phrase alone would be "John"
        assertThat(Mailbox.first("Doe, John <jdoe@example.com>")).contains(new Mailbox("", "doe"));
        assertThat(Mailbox.sender("Doe, John <jdoe@example.com>")).contains(new Mailbox("Doe, John", "jdoe@example.com"));
        // a brand's name put before a comma, hidden from parsers that read the mailbox's phrase ("_") alone
        assertThat(Mailbox.sender("Microsoft account team ,_<no-reply@access-security.example>")).contains(
                new Mailbox("Microsoft account team, _", "no-reply@access-security.example"));
        // other mailboxes are not part of the name; a bare address, a comment as the name
        assertThat(Mailbox.sender("a <a@example.com>, b <b@example.net>")).contains(new Mailbox("a", "a@example.com"));
        assertThat(Mailbox.sender("a@example.com (Accounts)")).contains(new Mailbox("Accounts", "a@example.com"));
        assertThat(Mailbox.sender("a@example.com")).contains(new Mailbox("", "a@example.com"));
        assertThat(Mailbox.sender("Just a phrase, and another")).isEmpty();
        // no address with a domain: the first mailbox as it is (a bounce's MAILER-DAEMON, a name on a bare local part)
        assertThat(Mailbox.sender("Mail Delivery Subsystem <MAILER-DAEMON>")).contains(
                new Mailbox("Mail Delivery Subsystem", "mailer-daemon"));
        assertThat(Mailbox.sender("")).isEmpty();
    }

    @Test
    void aNameStandingApartFromTheOnlyAddressIsDetached() {
        // the address has no name of its own, or only punctuation
        assertThat(Mailbox.detachedName("Kundenservice, <service@example.de>")).contains("Kundenservice");
        assertThat(Mailbox.detachedName("Microsoft account team ,_<no-reply@access-security.example>"))
                .contains("Microsoft account team");
        // the same name twice, or a phrase quoted as a whole before the comma
        assertThat(Mailbox.detachedName("Decathlon, Decathlon <news@example.net>")).contains("Decathlon");
        assertThat(Mailbox.detachedName("\"Paket-Service\", jehd <service@example.de>")).contains("Paket-Service");
        // a quoted phrase that looks like an address is a name the reader sees, not a second address
        assertThat(Mailbox.detachedName("\"Delivery@GLS.de\", <reply@mailer.example>")).contains("Delivery@GLS.de");
        assertThat(Mailbox.sender("\"Delivery@GLS.de\", <reply@mailer.example>"))
                .contains(new Mailbox("Delivery@GLS.de", "reply@mailer.example"));
        assertThat(Mailbox.sender("\"john.doe\"@example.com")).as("a quoted local part is an address")
                .contains(new Mailbox("", "\"john.doe\"@example.com"));
        // =?UTF-8?B?...?= names arrive decoded; a Japanese name is a name
        assertThat(Mailbox.detachedName("サポート窓口, <support@example.jp>")).contains("サポート窓口");
    }

    @Test
    void anAddressOnlyInACommentIsNoAuthorButTheReaderStillSeesANameDetachedFromIt() {
        // programs show a comment's text: the reader sees "Temu" and the address; a parser sees no mailbox at all
        assertThat(Mailbox.detachedName("Temu,(<service@example.de>)")).contains("Temu");
        assertThat(Mailbox.sender("Temu,(<service@example.de>)")).hasValueSatisfying(m -> {
            assertThat(m.address()).isEqualTo("service@example.de");
            assertThat(m.displayName()).isEqualTo("Temu");
        });
        assertThat(Mailbox.author(new HeaderField("From", "Temu,(<service@example.de>)"))).isEmpty();
    }

    @Test
    void anUnquotedCommaInsideAPersonsOrCompanysNameIsNotDetached() {
        assertThat(Mailbox.detachedName("Doe, John <jdoe@example.com>")).isEmpty();
        assertThat(Mailbox.detachedName("Widgets, Inc. <news@example.com>")).isEmpty();
        assertThat(Mailbox.detachedName("\"Tanaka, Taro\" <taro@example.co.jp>")).isEmpty();
        assertThat(Mailbox.detachedName("Taro <taro@example.co.jp>")).isEmpty();
        assertThat(Mailbox.detachedName("taro@example.co.jp")).isEmpty();
        // no address, or two (FROM_INVALID's case, not this one)
        assertThat(Mailbox.detachedName("Just a phrase, and another")).isEmpty();
        assertThat(Mailbox.detachedName("\"Lidl\", <a@example.de>, \"Lidl\", <b@example.de>")).isEmpty();
        assertThat(Mailbox.detachedName("")).isEmpty();
    }

    @Test
    void theAuthorIsTheAddressAMailProgramReadsAndAnAddressInACommentOrQuotesIsNone() {
        // RFC 5322 §3.2.2-3: what a comment or a quoted string holds is text, whatever it looks like
        for (String from : new String[] {"ceo@victim.example (<x@evil.example>)", "(<x@evil.example>) ceo@victim.example",
            "ceo@victim.example (\\) <x@evil.example>)", "\"x@evil.example\" <ceo@victim.example>",
            "CEO (x@evil.example) <ceo@victim.example>", "Board: ceo@victim.example;"}) {
            assertThat(author(from)).as(from).map(Mailbox::address).contains("ceo@victim.example");
        }
        assertThat(author("\"<x@evil.example>\"@victim.example")).map(Mailbox::address)
                .contains("\"<x@evil.example>\"@victim.example");
        // a second address after a comma or in a group, or an address that is two, is no single author
        for (String from : new String[] {"ceo@victim.example, <x@evil.example>", "CEO <ceo@victim.example>, x@evil.example",
            "Board: ceo@victim.example, <x@evil.example>;", "ceo@victim.example; x@evil.example",
            "<x@evil.example> ceo@victim.example", "ceo@victim.example@evil.example", "Taro Yamada taro@victim.example",
            "CEO <ceo@victim.example", "CEO \"<x@evil.example>, ceo@victim.example", "(x@evil.example ceo@victim.example"}) {
            assertThat(author(from)).as(from).isEmpty();
        }
    }

    @Test
    void theAuthorIsReadFromTheFieldAsWrittenSoThatADecodedQuoteOrParenthesisCannotHideAnAddress() {
        // decoded, =?utf-8?q?=28?= is "(" and =?utf-8?q?=22?= a quote: a parser of the decoded value would see one
        // address where the reader's program, which decodes only after reading the structure, sees two
        HeaderField comment = new HeaderField("From", "( <ceo@victim.example> ) <x@evil.example>",
                "=?utf-8?q?=28?= <ceo@victim.example> =?utf-8?q?=29?= <x@evil.example>");
        HeaderField quote = new HeaderField("From", "\" ceo@victim.example \", x@evil.example",
                "=?utf-8?q?=22?= ceo@victim.example =?utf-8?q?=22?=, x@evil.example");
        assertThat(Mailbox.author(comment)).isEmpty();
        assertThat(Mailbox.author(quote)).isEmpty();
        // the display name of the author is decoded
        assertThat(Mailbox.author(new HeaderField("From", "経理部 <keiri@example.co.jp>",
                "=?UTF-8?B?57WM55CG6YOo?= <keiri@example.co.jp>"))).contains(new Mailbox("経理部", "keiri@example.co.jp"));
    }

    @Test
    void theAuthorKeepsTheObsoleteSyntaxAndTheBareWordsBesideIt() {
        // RFC 5322 §4.4: comments and folding white space around the dots and the @
        assertThat(author("John Doe <jdoe@machine(comment).  example>")).map(Mailbox::address)
                .contains("jdoe@machine.example");
        assertThat(author("jdoe @ machine . example")).map(Mailbox::address).contains("jdoe@machine.example");
        assertThat(author("<@relay.example:jdoe@machine.example>")).map(Mailbox::address).contains("jdoe@machine.example");
        // a phrase without an address beside the address names nobody: "Doe" of an unquoted comma, a padding of words
        assertThat(author("Doe, John <jdoe@example.com>")).contains(new Mailbox("John", "jdoe@example.com"));
        assertThat(author("a, b, c, d, e, f, g, h, i, j, k, offers@news.spam.example")).map(Mailbox::address)
                .contains("offers@news.spam.example");
        assertThat(author("user@[IPv6:2001:db8::1]")).map(Mailbox::address).contains("user@[ipv6:2001:db8::1]");
        assertThat(author("<>")).isEmpty();
        assertThat(author("MAILER-DAEMON")).isEmpty();
    }

    private static java.util.Optional<Mailbox> author(String asWritten) {
        return Mailbox.author(new HeaderField("From", asWritten));
    }
}
