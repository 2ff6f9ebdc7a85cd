package dev.cellar.agent.snapshot;

import dev.cellar.agent.files.SpaceBudget;
import dev.cellar.agent.files.Streams;
import dev.cellar.core.ContentDigest;
import dev.cellar.core.Hex;
import dev.cellar.core.Zstd;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;

/**
 * image file → zstd → SHA-256 of the compressed bytes → compressed file, as composed streams. The compressed file
 * is what gets uploaded: its digest must be in a header before the body, and a retry re-sends it without
 * compressing again.
 */
public final class Compressor {
    private final int level;
    private final int workers;

    public Compressor(int level, int workers) {
        this.level = level;
        this.workers = workers;
    }

    /** The upload body: its size and its RFC 9530 digest. */
    public record Body(Path file, long bytes, ContentDigest digest) {
    }

    /** Compresses {@code image} into {@code target}; {@code budget} stops it before the volume runs short. */
    public Body compress(Path image, Path target, SpaceBudget budget) throws IOException {
        MessageDigest sha256 = Hex.sha256();
        try (InputStream in = Files.newInputStream(image);
             OutputStream file = budget.limit("the compressed snapshot", target.toAbsolutePath().getParent(),
                     new BufferedOutputStream(Files.newOutputStream(target), Streams.BUFFER));
             OutputStream zstd = Zstd.compress(new DigestOutputStream(file, sha256), level, workers)) {
            Streams.copy(in, zstd);
        }
        return new Body(target, Files.size(target), ContentDigest.sha256(sha256.digest()));
    }
}
