package dev.cellar.core;

import java.io.IOException;

/** More bytes arrived than the configured maximum allows. */
public class SizeLimitExceededException extends IOException {
    private final long limit;

    public SizeLimitExceededException(String what, long limit) {
        super(what + " is larger than the maximum of " + limit + " bytes");
        this.limit = limit;
    }

    public long limit() {
        return limit;
    }
}
