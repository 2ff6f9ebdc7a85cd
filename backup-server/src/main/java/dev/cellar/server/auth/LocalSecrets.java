package dev.cellar.server.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Secrets the embedded default invents on its first start and keeps in its data directory (mode 0600), so a
 * newcomer needs no set-up and tokens survive a restart.
 */
public final class LocalSecrets {
    private LocalSecrets() {
    }

    /** A secret read from {@code file}, or a new random one written there. {@code created} tells which. */
    public record Secret(String value, boolean created, Path file) {
    }

    public static Secret readOrCreate(Path file) throws IOException {
        if (Files.exists(file)) {
            return new Secret(Files.readString(file, StandardCharsets.UTF_8).trim(), false, file);
        }
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String value = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp);
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system: the directory's own permissions apply
        }
        Files.writeString(tmp, value + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        return new Secret(value, true, file);
    }
}
