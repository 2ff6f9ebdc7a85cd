package dev.cellar.agent.restore;

/** The server holds no snapshot that matches. */
public class NothingToRestoreException extends Exception {
    public NothingToRestoreException(String message) {
        super(message);
    }
}
