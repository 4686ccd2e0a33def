package io.mamori.console.identity;

import io.mamori.console.directory.JdbcDirectory;
import io.mamori.core.access.Role;
import io.mamori.core.message.Direction;
import io.mamori.core.store.MessageState;
import io.mamori.core.store.StoredMessage;
import io.mamori.core.store.StoredRecipient;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What a console user may see and act on: the one place every page, controller and API call asks before it
 * shows or changes a message. A user holds the union of what each of their roles allows:
 *
 * <table>
 * <caption>Message scope by role</caption>
 * <tr><th>role</th><th>sees</th><th>acts on (release, delete, approve)</th></tr>
 * <tr><td>ADMIN, ANALYST</td><td>every message</td><td>every message</td></tr>
 * <tr><td>AUDITOR</td><td>every message</td><td>nothing (read-only)</td></tr>
 * <tr><td>APPROVER</td><td>messages of the departments they approve for</td><td>the same messages</td></tr>
 * <tr><td>everyone (EMPLOYEE)</td><td>their own messages</td><td>outbound messages they sent (their own held
 * mail)</td></tr>
 * </table>
 *
 * <p>Whose message it is depends on the direction, because only the recipients of inbound mail are known to
 * be real (its envelope sender is whatever the internet claims): an <b>inbound</b> message belongs to its
 * recipients, an <b>outbound</b> message to its sender and its recipients. A message belongs to a department
 * when one of those addresses is an active person of that department in the directory. Addresses compare
 * case-insensitively.
 *
 * <p>Thread-safe; reads the directory on each department check (no cache, so an import applies at once).
 */
public final class Scope {

    private final JdbcDirectory directory;

    public Scope(JdbcDirectory directory) {
        this.directory = directory;
    }

    /** Whether {@code user} may see a stored message. */
    public boolean canSeeMessage(ConsoleUser user, StoredMessage message) {
        return canSeeMessage(user, message.direction(), message.mailFrom(), addresses(message));
    }

    /** Whether {@code user} may release, delete or approve a stored message. */
    public boolean canActOnMessage(ConsoleUser user, StoredMessage message) {
        return canActOnMessage(user, message.direction(), message.state(), message.mailFrom(), addresses(message));
    }

    /**
     * Whether {@code user} may see a message.
     *
     * @param sender     envelope sender ({@code ""} for the null sender)
     * @param recipients envelope recipients
     */
    public boolean canSeeMessage(ConsoleUser user, Direction direction, String sender, Collection<String> recipients) {
        if (user.hasAnyRole(Role.ADMIN, Role.ANALYST, Role.AUDITOR)) {
            return true;
        }
        List<String> parties = parties(direction, sender, recipients);
        return owns(user, parties) || (user.hasRole(Role.APPROVER) && inApproverScope(user, parties));
    }

    /**
     * Whether {@code user} may release, delete or approve a message (never an auditor by that role alone). An employee
     * acts only on the outbound mail they sent that is HELD (for a second look before it leaves); outbound mail
     * QUARANTINED (malware, a leak the policy stops) is the analysts' and approvers' to release.
     */
    public boolean canActOnMessage(ConsoleUser user, Direction direction, MessageState state, String sender,
            Collection<String> recipients) {
        if (user.hasAnyRole(Role.ADMIN, Role.ANALYST)) {
            return true;
        }
        if (user.hasRole(Role.APPROVER) && inApproverScope(user, parties(direction, sender, recipients))) {
            return true;
        }
        return direction == Direction.OUTBOUND && state == MessageState.HELD && same(user.email(), sender);
    }

    /** Whether {@code user} may see and act for a whole department (its people, its held mail). */
    public boolean coversDepartment(ConsoleUser user, String department) {
        return user.hasAnyRole(Role.ADMIN, Role.ANALYST)
                || (user.hasRole(Role.APPROVER) && user.approverDepartments().contains(department));
    }

    /**
     * The addresses whose messages {@code user} may see, for queries that filter in the database
     * ({@link io.mamori.core.store.MessageQuery#parties()}): {@code null} when the user sees every message (admin,
     * analyst, auditor), else their own address plus, for an approver, every active person of the departments
     * they approve for. Agrees with {@link #canSeeMessage}; callers still check each message they show.
     */
    public Set<String> messageOwners(ConsoleUser user) {
        if (user.hasAnyRole(Role.ADMIN, Role.ANALYST, Role.AUDITOR)) {
            return null;
        }
        Set<String> owners = new java.util.TreeSet<>();
        owners.add(user.email().strip().toLowerCase(Locale.ROOT));
        if (user.hasRole(Role.APPROVER)) {
            owners.addAll(directory.activeAddressesIn(user.approverDepartments()));
        }
        return owners;
    }

    /** Whether {@code user} may change anything at all (everyone but a user whose only power is reading). */
    public boolean readOnly(ConsoleUser user) {
        return user.hasRole(Role.AUDITOR) && !user.hasAnyRole(Role.ADMIN, Role.ANALYST, Role.APPROVER);
    }

    private boolean inApproverScope(ConsoleUser user, List<String> parties) {
        if (user.approverDepartments().isEmpty() || parties.isEmpty()) {
            return false;
        }
        Set<String> departments = directory.departmentsOf(parties);
        return departments.stream().anyMatch(user.approverDepartments()::contains);
    }

    private static boolean owns(ConsoleUser user, List<String> parties) {
        return parties.stream().anyMatch(a -> same(user.email(), a));
    }

    private static List<String> parties(Direction direction, String sender, Collection<String> recipients) {
        List<String> parties = new ArrayList<>(recipients.size() + 1);
        if (direction == Direction.OUTBOUND && sender != null && !sender.isBlank()) {
            parties.add(sender);
        }
        recipients.stream().filter(r -> r != null && !r.isBlank()).forEach(parties::add);
        return parties;
    }

    private static List<String> addresses(StoredMessage message) {
        return message.recipients().stream().map(StoredRecipient::address).toList();
    }

    private static boolean same(String a, String b) {
        return a != null && b != null && a.strip().toLowerCase(Locale.ROOT).equals(b.strip().toLowerCase(Locale.ROOT));
    }
}
