package dev.cellar.agent.restore;

import java.io.IOException;

/** The downloaded snapshot is not the database it claims to be; nothing was installed. */
public class RestoreVerificationException extends IOException {
    public RestoreVerificationException(String message) {
        super(message);
    }

    public RestoreVerificationException(String message, Throwable cause) {
        super(message, cause);
    }
}
