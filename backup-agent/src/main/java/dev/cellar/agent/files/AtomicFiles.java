package dev.cellar.agent.files;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** Temp → fsync → rename, so that a crash leaves either the old file or the new one, never half of one. */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    public static void write(Path target, byte[] content) throws IOException {
        Path temp = TempFiles.create(target.toAbsolutePath().getParent(), target.getFileName().toString());
        try {
            Files.write(temp, content);
            moveIntoPlace(temp, target);
        } finally {
            TempFiles.deleteQuietly(temp);
        }
    }

    /** fsyncs {@code source}, renames it over {@code target} atomically, then fsyncs the folder entry. */
    public static void moveIntoPlace(Path source, Path target) throws IOException {
        fsync(source);
        Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
        fsyncFolder(target.toAbsolutePath().getParent());
    }

    public static void fsync(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    private static void fsyncFolder(Path folder) {
        try (FileChannel ch = FileChannel.open(folder, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // some file systems refuse to sync a directory; the rename itself is still atomic there
        }
    }
}
