package dev.cellar.agent.cli;

import dev.cellar.agent.client.ServerUnavailableException;
import dev.cellar.core.config.ConfigException;
import dev.cellar.agent.restore.NothingToRestoreException;

/** What the agent's exit status means; the same list is in {@code cellar-agent --help}. */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;
    public static final int NOTHING_TO_RESTORE = 3;
    public static final int SERVER_UNAVAILABLE = 4;

    private ExitCodes() {
    }

    /** The status as a word, for {@code --json} output. */
    public static String name(int code) {
        return switch (code) {
            case OK -> "ok";
            case USAGE -> "usage";
            case NOTHING_TO_RESTORE -> "nothing_to_restore";
            case SERVER_UNAVAILABLE -> "server_unavailable";
            default -> "failed";
        };
    }

    /** The status for a command that ended with {@code e}. */
    public static int of(Throwable e) {
        if (e instanceof ConfigException) {
            return USAGE;
        }
        if (e instanceof NothingToRestoreException) {
            return NOTHING_TO_RESTORE;
        }
        if (e instanceof ServerUnavailableException) {
            return SERVER_UNAVAILABLE;
        }
        return FAILED;
    }
}
