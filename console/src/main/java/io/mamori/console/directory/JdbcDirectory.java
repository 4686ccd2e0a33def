package io.mamori.console.directory;

import io.mamori.core.access.Role;
import io.mamori.gateway.store.TransactionWork;
import io.mamori.gateway.store.Transactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import javax.sql.DataSource;

/**
 * The directory of people and departments in the gateway's database (tables {@code directory_*}, migration
 * V4), on H2 and PostgreSQL alike. Departments are created as people name them.
 *
 * <p>Thread-safe; every method is one transaction.
 */
public final class JdbcDirectory {

    private static final String PERSON_COLUMNS =
            "email, display_name, department, manager_email, language, active, source";

    private final DataSource dataSource;
    private final Clock clock;

    public JdbcDirectory(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    /** The person with this address (any case), active or not. */
    public Optional<Person> find(String email) {
        if (email == null) {
            return Optional.empty();
        }
        List<Person> found = query(" WHERE email = ?", email.strip().toLowerCase(Locale.ROOT));
        return found.stream().findFirst();
    }

    /** Every person, active and not, ordered by address. */
    public List<Person> list() {
        return query("", null);
    }

    /** The addresses that have a console account (may sign in while active), lower case. */
    public Set<String> withAccounts() {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT email FROM console_account");
             ResultSet rs = ps.executeQuery()) {
            Set<String> emails = new java.util.HashSet<>();
            while (rs.next()) {
                emails.add(rs.getString(1));
            }
            return emails;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the console accounts: " + e.getMessage(), e);
        }
    }

    /**
     * How many of {@code people} are active administrators with a console account, i.e. can sign in and
     * administer; a directory entry with the role alone cannot.
     */
    public long administratorsWhoCanSignIn(Collection<Person> people) {
        Set<String> accounts = withAccounts();
        return people.stream().filter(p -> p.active() && p.roles().contains(io.mamori.core.access.Role.ADMIN)
                && accounts.contains(p.email())).count();
    }

    /** Every department name, in order. */
    public List<String> departments() {
        try (Connection c = dataSource.getConnection();
             PreparedStatement q = c.prepareStatement("SELECT name FROM directory_department ORDER BY name");
             ResultSet rs = q.executeQuery()) {
            List<String> names = new ArrayList<>();
            while (rs.next()) {
                names.add(rs.getString(1));
            }
            return names;
        } catch (SQLException e) {
            throw failure("read departments", e);
        }
    }

    /**
     * The departments of the <em>active</em> people among {@code addresses} (any case); addresses of nobody in
     * the directory, of inactive people and of people without a department contribute nothing.
     */
    public Set<String> departmentsOf(Collection<String> addresses) {
        List<String> lower = addresses.stream().filter(a -> a != null && !a.isBlank())
                .map(a -> a.strip().toLowerCase(Locale.ROOT)).distinct().toList();
        Set<String> result = new TreeSet<>();
        if (lower.isEmpty()) {
            return result;
        }
        try (Connection c = dataSource.getConnection()) {
            // In chunks: a message may have hundreds of recipients, and a statement's parameters are bounded.
            for (int from = 0; from < lower.size(); from += 100) {
                List<String> chunk = lower.subList(from, Math.min(lower.size(), from + 100));
                String marks = String.join(", ", java.util.Collections.nCopies(chunk.size(), "?"));
                try (PreparedStatement q = c.prepareStatement("SELECT DISTINCT department FROM directory_person"
                        + " WHERE active = TRUE AND department IS NOT NULL AND email IN (" + marks + ")")) {
                    for (int i = 0; i < chunk.size(); i++) {
                        q.setString(i + 1, chunk.get(i));
                    }
                    try (ResultSet rs = q.executeQuery()) {
                        while (rs.next()) {
                            result.add(rs.getString(1));
                        }
                    }
                }
            }
            return result;
        } catch (SQLException e) {
            throw failure("read departments of addresses", e);
        }
    }

    /** The addresses of the <em>active</em> people of these departments, lower case. */
    public Set<String> activeAddressesIn(Collection<String> departments) {
        List<String> names = departments.stream().filter(d -> d != null && !d.isBlank()).distinct().toList();
        Set<String> result = new TreeSet<>();
        if (names.isEmpty()) {
            return result;
        }
        try (Connection c = dataSource.getConnection()) {
            for (int from = 0; from < names.size(); from += 100) {
                List<String> chunk = names.subList(from, Math.min(names.size(), from + 100));
                String marks = String.join(", ", java.util.Collections.nCopies(chunk.size(), "?"));
                try (PreparedStatement q = c.prepareStatement("SELECT email FROM directory_person"
                        + " WHERE active = TRUE AND department IN (" + marks + ")")) {
                    for (int i = 0; i < chunk.size(); i++) {
                        q.setString(i + 1, chunk.get(i));
                    }
                    try (ResultSet rs = q.executeQuery()) {
                        while (rs.next()) {
                            result.add(rs.getString(1).toLowerCase(Locale.ROOT));
                        }
                    }
                }
            }
            return result;
        } catch (SQLException e) {
            throw failure("read people of departments", e);
        }
    }

    /** Adds or replaces one person (roles and approver departments included). */
    public void save(Person person) {
        saveAll(List.of(person));
    }

    /**
     * As {@link #save(Person)}, with {@code alongside} run on the save's transaction after it: both commit, or neither
     * does (the audit entry of the person who changed someone's roles or access).
     */
    public void save(Person person, TransactionWork alongside) {
        saveAll(List.of(person), alongside);
    }

    /** Adds or replaces every person given, in one transaction: all of them or none. */
    public void saveAll(Collection<Person> people) {
        saveAll(people, Transactions.NOTHING_ALONGSIDE);
    }

    /** As {@link #saveAll(Collection)}, with {@code alongside} run on the same transaction after the writes. */
    public void saveAll(Collection<Person> people, TransactionWork alongside) {
        try (Connection c = dataSource.getConnection()) {
            Transactions.inTransaction(c, () -> {
                Set<String> known = new TreeSet<>(departmentsIn(c));
                for (Person p : people) {
                    for (String d : departmentsNamedBy(p)) {
                        if (known.add(d)) {
                            try (PreparedStatement insert = c.prepareStatement(
                                    "INSERT INTO directory_department (name, created_at) VALUES (?, ?)")) {
                                insert.setString(1, d);
                                insert.setObject(2, now());
                                insert.executeUpdate();
                            }
                        }
                    }
                }
                for (Person p : people) {
                    write(c, p);
                }
                alongside.run(c, true);
                return null;
            });
        } catch (SQLException e) {
            throw failure("save directory entries", e);
        }
    }

    /** Sets a person's preferred language; {@code false} if there is no such person. */
    public boolean setLanguage(String email, String language) {
        if (!Person.LANGUAGES.contains(language)) {
            throw new IllegalArgumentException("language must be ja or en: " + language);
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement update = c.prepareStatement(
                     "UPDATE directory_person SET language = ?, updated_at = ? WHERE email = ?")) {
            update.setString(1, language);
            update.setObject(2, now());
            update.setString(3, email.strip().toLowerCase(Locale.ROOT));
            return update.executeUpdate() == 1;
        } catch (SQLException e) {
            throw failure("set the language of " + email, e);
        }
    }

    private static Set<String> departmentsNamedBy(Person p) {
        Set<String> names = new TreeSet<>(p.approverDepartments());
        if (p.department() != null) {
            names.add(p.department());
        }
        return names;
    }

    private void write(Connection c, Person p) throws SQLException {
        OffsetDateTime now = now();
        int updated;
        try (PreparedStatement update = c.prepareStatement("UPDATE directory_person SET display_name = ?, department = ?,"
                + " manager_email = ?, language = ?, active = ?, source = ?, updated_at = ? WHERE email = ?")) {
            update.setString(1, p.displayName());
            update.setString(2, p.department());
            update.setString(3, p.managerEmail());
            update.setString(4, p.language());
            update.setBoolean(5, p.active());
            update.setString(6, p.source().name());
            update.setObject(7, now);
            update.setString(8, p.email());
            updated = update.executeUpdate();
        }
        if (updated == 0) {
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO directory_person (" + PERSON_COLUMNS
                    + ", created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                insert.setString(1, p.email());
                insert.setString(2, p.displayName());
                insert.setString(3, p.department());
                insert.setString(4, p.managerEmail());
                insert.setString(5, p.language());
                insert.setBoolean(6, p.active());
                insert.setString(7, p.source().name());
                insert.setObject(8, now);
                insert.setObject(9, now);
                insert.executeUpdate();
            }
        }
        try (PreparedStatement delete = c.prepareStatement("DELETE FROM directory_person_role WHERE email = ?")) {
            delete.setString(1, p.email());
            delete.executeUpdate();
        }
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO directory_person_role (email, role) VALUES (?, ?)")) {
            for (Role r : p.roles()) {
                insert.setString(1, p.email());
                insert.setString(2, r.name());
                insert.addBatch();
            }
            insert.executeBatch();
        }
        try (PreparedStatement delete = c.prepareStatement("DELETE FROM directory_approver_department WHERE email = ?")) {
            delete.setString(1, p.email());
            delete.executeUpdate();
        }
        if (!p.approverDepartments().isEmpty()) {
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO directory_approver_department (email, department) VALUES (?, ?)")) {
                for (String d : p.approverDepartments()) {
                    insert.setString(1, p.email());
                    insert.setString(2, d);
                    insert.addBatch();
                }
                insert.executeBatch();
            }
        }
    }

    private static List<String> departmentsIn(Connection c) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("SELECT name FROM directory_department");
             ResultSet rs = q.executeQuery()) {
            List<String> names = new ArrayList<>();
            while (rs.next()) {
                names.add(rs.getString(1));
            }
            return names;
        }
    }

    private List<Person> query(String where, String email) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                Map<String, Set<Role>> roles = new HashMap<>();
                try (PreparedStatement q = c.prepareStatement("SELECT email, role FROM directory_person_role" + where)) {
                    if (email != null) {
                        q.setString(1, email);
                    }
                    try (ResultSet rs = q.executeQuery()) {
                        while (rs.next()) {
                            String key = rs.getString(1);
                            Optional<Role> role = Role.parse(rs.getString(2));
                            if (role.isPresent()) {
                                roles.computeIfAbsent(key, k -> EnumSet.noneOf(Role.class)).add(role.get());
                            }
                        }
                    }
                }
                Map<String, Set<String>> approves = new HashMap<>();
                try (PreparedStatement q = c.prepareStatement("SELECT email, department FROM directory_approver_department" + where)) {
                    if (email != null) {
                        q.setString(1, email);
                    }
                    try (ResultSet rs = q.executeQuery()) {
                        while (rs.next()) {
                            approves.computeIfAbsent(rs.getString(1), k -> new TreeSet<>()).add(rs.getString(2));
                        }
                    }
                }
                Map<String, Person> people = new LinkedHashMap<>();
                try (PreparedStatement q = c.prepareStatement("SELECT " + PERSON_COLUMNS + " FROM directory_person"
                        + where + " ORDER BY email")) {
                    if (email != null) {
                        q.setString(1, email);
                    }
                    try (ResultSet rs = q.executeQuery()) {
                        while (rs.next()) {
                            String key = rs.getString(1);
                            people.put(key, new Person(key, rs.getString(2), rs.getString(3), rs.getString(4),
                                    roles.getOrDefault(key, Set.of()), new TreeSet<>(approves.getOrDefault(key, Set.of())),
                                    rs.getString(5), rs.getBoolean(6), Person.Source.valueOf(rs.getString(7))));
                        }
                    }
                }
                c.commit();
                return new ArrayList<>(people.values());
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw failure("read the directory", e);
        }
    }

    private OffsetDateTime now() {
        return OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    }

    private static IllegalStateException failure(String what, SQLException e) {
        return new IllegalStateException("cannot " + what + ": " + e.getMessage(), e);
    }
}
