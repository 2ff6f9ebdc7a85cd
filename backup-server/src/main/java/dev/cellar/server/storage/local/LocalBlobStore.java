package dev.cellar.server.storage.local;

import dev.cellar.server.storage.BlobPage;
import dev.cellar.server.storage.BlobStore;
import dev.cellar.server.storage.StagedBlob;
import dev.cellar.server.storage.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.commons.io.input.BoundedInputStream;

/**
 * Objects as files under a root directory: the embedded default, for one server with a volume. Every write is
 * temp file → fsync → atomic rename → fsync of the directory, so a crash leaves either the old state or the new.
 */
public final class LocalBlobStore implements BlobStore {
    static final String STAGING = ".staging";
    private final Path root;
    private final Path staging;

    public LocalBlobStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
        this.staging = this.root.resolve(STAGING);
        try {
            Files.createDirectories(staging);
            // a crash mid-upload leaves staged files that nobody will commit
            try (Stream<Path> leftovers = Files.list(staging)) {
                for (Path p : (Iterable<Path>) leftovers::iterator) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            throw new StorageException("cannot prepare data directory " + this.root + ": " + e.getMessage(), e);
        }
    }

    @Override
    public StagedBlob stage() {
        return new LocalStagedBlob(this, staging.resolve(UUID.randomUUID() + ".part"));
    }

    @Override
    public void put(String key, byte[] content) {
        Path tmp = staging.resolve(UUID.randomUUID() + ".part");
        try {
            writeSynced(tmp, content);
            install(tmp, key);
        } catch (IOException e) {
            throw new StorageException("cannot write " + key + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    @Override
    public boolean putIfAbsent(String key, byte[] content) {
        Path tmp = staging.resolve(UUID.randomUUID() + ".part");
        try {
            writeSynced(tmp, content);
            Path target = file(key);
            Files.createDirectories(target.getParent());
            try {
                Files.createLink(target, tmp); // link(2) fails when the name exists: the atomic "if absent"
            } catch (FileAlreadyExistsException e) {
                return read(key).map(existing -> java.util.Arrays.equals(existing, content)).orElse(false);
            }
            fsyncDirectory(target.getParent());
            return true;
        } catch (IOException e) {
            throw new StorageException("cannot write " + key + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    private static void writeSynced(Path tmp, byte[] content) throws IOException {
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(content));
            if (content.length > 0) {
                // an empty file (an index marker) has no data to flush: the fsync of the directory it is renamed
                // into commits its creation with its name, so a second journal commit would buy nothing
                ch.force(true);
            }
        }
    }

    /** Moves a finished, fsynced temp file into place under {@code key}. */
    void install(Path tmp, String key) throws IOException {
        Path target = file(key);
        Files.createDirectories(target.getParent());
        Files.move(tmp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        fsyncDirectory(target.getParent());
    }

    @Override
    public Optional<byte[]> read(String key) {
        try {
            return Optional.of(Files.readAllBytes(file(key)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StorageException("cannot read " + key + ": " + e.getMessage(), e);
        }
    }

    @Override
    public OptionalLong size(String key) {
        try {
            return OptionalLong.of(Files.size(file(key)));
        } catch (NoSuchFileException e) {
            return OptionalLong.empty();
        } catch (IOException e) {
            throw new StorageException("cannot stat " + key + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<InputStream> open(String key, long offset, long length) {
        try {
            FileChannel ch = FileChannel.open(file(key), StandardOpenOption.READ);
            ch.position(offset);
            InputStream in = Channels.newInputStream(ch);
            return Optional.of(length < 0 ? in : BoundedInputStream.builder().setInputStream(in)
                    .setMaxCount(length).get());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StorageException("cannot open " + key + ": " + e.getMessage(), e);
        }
    }

    @Override
    public BlobPage list(String folder, String startAfter, int max) {
        Path dir = folderPath(folder);
        List<BlobPage.Entry> entries = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return new BlobPage(entries, false);
        }
        try (Stream<Path> files = Files.walk(dir)) {
            List<String> keys = files.filter(p -> Files.isRegularFile(p) && !p.startsWith(staging))
                    .map(this::key)
                    .filter(k -> startAfter == null || k.compareTo(startAfter) > 0)
                    .sorted()
                    .limit(max + 1L)
                    .toList();
            for (String k : keys.subList(0, Math.min(max, keys.size()))) {
                entries.add(new BlobPage.Entry(k, Files.size(file(k))));
            }
            return new BlobPage(entries, keys.size() > max);
        } catch (IOException | UncheckedIOException e) {
            throw new StorageException("cannot list " + folder + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<String> folders(String folder) {
        Path dir = folderPath(folder);
        List<String> result = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return result;
        }
        try (DirectoryStream<Path> children = Files.newDirectoryStream(dir, Files::isDirectory)) {
            for (Path child : children) {
                String name = child.getFileName().toString();
                if (!name.startsWith(".")) {
                    result.add(folder + name + "/");
                }
            }
        } catch (IOException e) {
            throw new StorageException("cannot list " + folder + ": " + e.getMessage(), e);
        }
        result.sort(null);
        return result;
    }

    @Override
    public void delete(String key) {
        try {
            Path f = file(key);
            if (Files.deleteIfExists(f)) {
                fsyncDirectory(f.getParent());
            }
        } catch (IOException e) {
            throw new StorageException("cannot delete " + key + ": " + e.getMessage(), e);
        }
    }

    @Override
    public int discardStagedBefore(Instant cutoff) {
        int discarded = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(staging)) {
            for (Path f : files) {
                try {
                    if (Files.getLastModifiedTime(f).toInstant().isBefore(cutoff) && Files.deleteIfExists(f)) {
                        discarded++;
                    }
                } catch (NoSuchFileException e) {
                    // committed or discarded meanwhile
                }
            }
        } catch (IOException e) {
            throw new StorageException("cannot clean " + staging + ": " + e.getMessage(), e);
        }
        return discarded;
    }

    @Override
    public String describe() {
        return "local:" + root;
    }

    @Override
    public void close() {
    }

    private Path folderPath(String folder) {
        if (!folder.isEmpty() && !folder.endsWith("/")) {
            throw new IllegalArgumentException("a folder ends with '/': " + folder);
        }
        return folder.isEmpty() ? root : file(folder.substring(0, folder.length() - 1));
    }

    private Path file(String key) {
        Path p = root.resolve(key).normalize();
        if (key.isEmpty() || key.startsWith("/") || !p.startsWith(root) || p.equals(root) || p.startsWith(staging)) {
            throw new IllegalArgumentException("invalid key: " + key);
        }
        return p;
    }

    private String key(Path file) {
        return root.relativize(file).toString().replace(java.io.File.separatorChar, '/');
    }

    static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort: a leftover staged file is removed at the next start
        }
    }
}
