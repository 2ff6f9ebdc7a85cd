package dev.cellar.core;

import java.io.IOException;

/** The bytes are not a complete SQLite database image. An IOException so it can travel through streams. */
public class NotSqliteException extends IOException {
    public NotSqliteException(String message) {
        super(message);
    }
}
