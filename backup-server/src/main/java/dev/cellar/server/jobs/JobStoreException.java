package dev.cellar.server.jobs;

/** The scheduler or its job store database cannot be used; the server does not start without it. */
public class JobStoreException extends RuntimeException {
    public JobStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
