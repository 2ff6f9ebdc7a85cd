package dev.cellar.agent.client;

import java.io.IOException;

/** Every attempt failed with a network error or a retryable status: the server may well be fine later. */
public class ServerUnavailableException extends IOException {
    public ServerUnavailableException(String what, int attempts, Exception last) {
        super(what + " failed after " + attempts + " attempt" + (attempts == 1 ? "" : "s") + ": " + describe(last),
                last);
    }

    /** The same condition, told in terms of what it stopped. */
    public ServerUnavailableException(String message, ServerUnavailableException cause) {
        super(message + ": " + cause.getMessage(), cause);
    }

    private static String describe(Exception e) {
        return e instanceof IOException io ? Retrier.describe(io) : e.getMessage();
    }
}
