package io.mamori.gateway.store;

import java.sql.Connection;
import java.sql.SQLException;

/** One database transaction on a connection, for the gateway's JDBC stores. */
public final class Transactions {

    /** Work on a connection that may throw {@link SQLException}. */
    @FunctionalInterface
    public interface SqlWork<T> {
        T run() throws SQLException;
    }

    /** Work that does nothing, for the variants of a change that have nothing to run alongside. */
    public static final TransactionWork NOTHING_ALONGSIDE = (connection, changed) -> { };

    private Transactions() {
    }

    /** Runs {@code work} as one transaction on {@code c}: committed, or rolled back on any failure; autocommit restored. */
    public static <T> T inTransaction(Connection c, SqlWork<T> work) throws SQLException {
        c.setAutoCommit(false);
        try {
            T result = work.run();
            c.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            try {
                c.rollback();
            } catch (SQLException rollback) {
                e.addSuppressed(rollback); // the first failure is what went wrong
            }
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }
}
