package dev.cellar.server.auth;

import dev.cellar.core.config.ConfigException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;

/**
 * Secrets the embedded default invents on its first start and keeps in its data directory (mode 0600), so a
 * newcomer needs no set-up and tokens survive a restart. The value is never printed or logged: only the file is
 * named.
 */
public final class LocalSecrets {
    /** As for {@code BACKUP_ADMIN_TOKEN} and {@code BACKUP_TOKEN_SECRET}: long enough that guessing is hopeless. */
    static final int MIN_LENGTH = 32;

    private LocalSecrets() {
    }

    /** A secret read from {@code file}, or a new random one written there. {@code created} tells which. */
    public record Secret(String value, boolean created, Path file) {
    }

    /**
     * @throws ConfigException when the file exists but is empty or shorter than {@link #MIN_LENGTH} characters
     *                         (truncated by a crash or edited by hand): a server must not start with a guessable token
     */
    public static Secret readOrCreate(Path file) throws IOException {
        if (Files.exists(file)) {
            String value = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (value.isEmpty()) {
                throw new ConfigException(List.of("the secret file " + file + " is empty; delete it to have a new "
                        + "one generated (tokens made with the old one stop working) or write the secret into it"));
            }
            if (value.length() < MIN_LENGTH) {
                throw new ConfigException(List.of("the secret file " + file + " holds " + value.length()
                        + " characters; a secret must be at least " + MIN_LENGTH + " characters long"));
            }
            return new Secret(value, false, file);
        }
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String value = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp);
        try {
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system: the directory's own permissions apply
            }
            // written, synced, renamed, and the rename synced: a crash leaves the old state or the whole secret
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap((value + "\n").getBytes(StandardCharsets.UTF_8)));
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        syncDirectory(dir);
        return new Secret(value, true, file);
    }

    private static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // some file systems cannot open or sync a directory: the rename is then as durable as they make it
        }
    }
}
