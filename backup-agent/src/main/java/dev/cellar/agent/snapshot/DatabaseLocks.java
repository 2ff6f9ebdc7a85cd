package dev.cellar.agent.snapshot;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One snapshot at a time per database: within this process (the schedule, the shutdown snapshot, a round's
 * workers) through a lock per lock file, and across processes (the daemon and an operator's {@code backup}) through
 * an OS lock on that file. A run that finds the database busy waits for the other to finish, then runs.
 */
final class DatabaseLocks {
    private static final Logger LOG = LoggerFactory.getLogger(DatabaseLocks.class);

    /** A held lock; closing it releases it. */
    interface Held extends AutoCloseable {
        @Override
        void close() throws IOException;
    }

    /**
     * Per JVM, not per instance: the OS lock belongs to the process, and a second channel locking the same file in
     * one JVM would fail instead of waiting.
     */
    private static final ConcurrentHashMap<Path, ReentrantLock> LOCAL = new ConcurrentHashMap<>();

    Held acquire(String database, Path lockFile) throws IOException, InterruptedException {
        Path key = lockFile.toAbsolutePath().normalize();
        ReentrantLock lock = LOCAL.computeIfAbsent(key, k -> new ReentrantLock());
        if (!lock.tryLock()) {
            LOG.info("event=snapshot.waiting database={} reason=\"a snapshot of this database is in progress\"", database);
            lock.lockInterruptibly();
        }
        FileChannel channel = null;
        try {
            Files.createDirectories(key.getParent());
            channel = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock fileLock = channel.tryLock();
            if (fileLock == null) {
                LOG.info("event=snapshot.waiting database={} reason=\"another agent process is taking a snapshot of"
                        + " this database\" lock={}", database, key);
                fileLock = channel.lock(); // interruptible: an interrupt closes the channel
            }
            FileChannel held = channel;
            FileLock heldLock = fileLock;
            return () -> {
                try {
                    heldLock.release();
                    held.close();
                } finally {
                    lock.unlock();
                }
            };
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                channel.close();
            }
            lock.unlock();
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while waiting for the snapshot lock of " + database);
            }
            throw e;
        }
    }
}
