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
        assertThat(Mailbox.detachedName("Temu,(<service@example.de>)")).contains("Temu");
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
}
