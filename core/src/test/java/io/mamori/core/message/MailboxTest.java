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
}
