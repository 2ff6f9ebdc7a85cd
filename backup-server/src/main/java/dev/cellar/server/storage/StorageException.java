package dev.cellar.server.storage;

/** The store could not be reached or failed; the request may succeed later. */
public class StorageException extends RuntimeException {
    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }

    public StorageException(String message) {
        super(message);
    }
}
