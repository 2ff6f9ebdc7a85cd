package dev.cellar.server.snapshot;

import java.io.IOException;

/** Reading the request body failed: the client went away or stalled. Not the body's content being bad. */
final class ClientBodyException extends IOException {
    ClientBodyException(IOException cause) {
        super("the request body could not be read: " + cause.getMessage(), cause);
    }
}
