package dev.cellar.server.snapshot;

import dev.cellar.server.http.ApiError;
import java.util.Locale;

/** The forms an upload body may take, by {@code Content-Type}. */
public enum BodyFormat {
    ZSTD("application/zstd"),
    GZIP("application/gzip"),
    SQLITE("application/vnd.sqlite3");

    private final String mediaType;

    BodyFormat(String mediaType) {
        this.mediaType = mediaType;
    }

    public String mediaType() {
        return mediaType;
    }

    /**
     * @throws ApiError 415 naming the types that are accepted
     */
    public static BodyFormat of(String contentType) {
        if (contentType != null) {
            String type = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
            for (BodyFormat f : values()) {
                if (f.mediaType.equals(type)) {
                    return f;
                }
            }
        }
        throw ApiError.unsupportedMediaType("Content-Type " + (contentType == null ? "is missing" : "'" + contentType
                + "' is not supported") + "; send application/zstd, application/gzip or application/vnd.sqlite3");
    }
}
