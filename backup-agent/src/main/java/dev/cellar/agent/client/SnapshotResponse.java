package dev.cellar.agent.client;

import java.io.InputStream;
import java.util.OptionalLong;

/**
 * An open snapshot download: the stored (zstd) bytes from {@code offset} on.
 *
 * @param version       the version the server is sending (pin it when resuming)
 * @param imageSha256   hex SHA-256 of the database image, from {@code X-Snapshot-Sha256}
 * @param offset        where in the stored bytes {@code body} starts
 * @param contentLength bytes in {@code body}, when the server says
 */
public record SnapshotResponse(String version, String imageSha256, long offset, OptionalLong contentLength,
                               InputStream body) {
}
