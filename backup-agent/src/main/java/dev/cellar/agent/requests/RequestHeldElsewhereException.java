package dev.cellar.agent.requests;

import java.io.IOException;

/** A missing database has an open restore request that another machine holds: restoring anything else is unsafe. */
public final class RequestHeldElsewhereException extends IOException {
    public RequestHeldElsewhereException(String message) {
        super(message);
    }
}
