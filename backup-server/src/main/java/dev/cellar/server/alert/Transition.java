package dev.cellar.server.alert;

import dev.cellar.server.status.BackupStatus;
import dev.cellar.server.status.DatabaseStatus;
import java.time.Instant;

/**
 * A database's status changed from {@code from} to {@code to} at {@code at}; {@code reason} is the new status's
 * (null once ok again), with anything that looks like a token removed.
 */
public record Transition(String tenant, String database, String from, String to, String reason, Instant at) {

    public Transition {
        reason = Redaction.apply(reason);
    }

    /** Worth telling someone: a database turned stale or failing, or came back from it. */
    public boolean alerting() {
        return BackupStatus.problem(to) || BackupStatus.problem(from);
    }

    public boolean recovery() {
        return BackupStatus.problem(from) && !BackupStatus.problem(to);
    }

    /** One line for people, as a chat message shows it. */
    public String text() {
        String where = tenant + "/" + database;
        if (recovery()) {
            return "Cellar: " + where + " recovered: " + to + " again (was " + from + ")";
        }
        String what = DatabaseStatus.FAILING.equals(to) ? "is failing" : "is " + to;
        return "Cellar: " + where + " " + what + " (was " + from + ")" + (reason == null ? "" : ": " + reason);
    }
}
