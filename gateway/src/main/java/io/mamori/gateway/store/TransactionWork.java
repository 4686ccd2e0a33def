package io.mamori.gateway.store;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Work done on the database transaction of a change in the gateway's database (a message's state change, {@link
 * JdbcMessageStore#transition(String, io.mamori.core.store.MessageState, TransactionWork)}), committed or rolled back
 * with it: the audit entry of a person's action, so that the action never happens without its entry. In the gateway,
 * not in core: core holds no JDBC (ArchitectureTest).
 */
@FunctionalInterface
public interface TransactionWork {

    /**
     * @param connection the transaction's connection: statements only, no commit, rollback or auto-commit change
     * @param moved      whether the state change happened (its entry is recorded either way)
     * @throws SQLException to roll the state change back (it then did not happen)
     */
    void run(Connection connection, boolean moved) throws SQLException;
}
