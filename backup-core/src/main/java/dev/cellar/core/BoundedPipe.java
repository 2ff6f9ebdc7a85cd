package dev.cellar.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Bytes handed from one thread to another through at most {@code chunks} buffers of {@code chunkSize} bytes, so
 * that two stages of a stream (reading the network and decompressing, compressing and sending) run at the same
 * time with memory that does not grow with the data. A failure on either side reaches the other: the writer's
 * failure is thrown by the reader's next read, the reader's by the writer's next write, as the same exception.
 *
 * <p>Use {@link #produce} to run the writing side on its own thread, {@link #consume} to run the reading side.
 *
 * <p>A chunk the reader has used up goes back to the writer, which fills it again: a stream of any length allocates
 * at most {@code chunks + 2} chunks, instead of one per chunk of data for the garbage collector to chase (a restore
 * of 1 GiB would otherwise allocate 1.4 GB in 256 KiB arrays, churning a small heap).
 */
public final class BoundedPipe {
    private static final Object END = new Object();
    private static final byte[] NONE = new byte[0];
    private static final long POLL_MILLIS = 50;

    private final BlockingQueue<Object> queue;
    /** Used-up chunks of {@code chunkSize} bytes, for the writer to fill again. */
    private final BlockingQueue<byte[]> spare;
    private final int chunkSize;
    private volatile int allocated;
    private volatile Throwable writerFailure;
    private volatile Throwable readerFailure;
    private volatile boolean readerClosed;

    public BoundedPipe(int chunks, int chunkSize) {
        if (chunks < 1 || chunkSize < 1) {
            throw new IllegalArgumentException("a pipe needs at least one chunk of at least one byte");
        }
        this.queue = new ArrayBlockingQueue<>(chunks);
        this.spare = new ArrayBlockingQueue<>(chunks + 2);
        this.chunkSize = chunkSize;
    }

    /** How many chunks the writer has allocated so far. */
    int chunksAllocated() {
        return allocated;
    }

    /** Writes {@code out}; closing the stream ends the data, and the reader then sees the end. */
    @FunctionalInterface
    public interface Producer {
        void writeTo(OutputStream out) throws Exception;
    }

    /** Reads everything from {@code in} and returns what it made of it. */
    @FunctionalInterface
    public interface Consumer<T> {
        T readFrom(InputStream in) throws Exception;
    }

    /**
     * Runs {@code producer} on a new thread and returns what it writes as a stream. Closing the stream before its
     * end stops the producer at its next write.
     */
    public static InputStream produce(String threadName, int chunks, int chunkSize, Producer producer) {
        BoundedPipe pipe = new BoundedPipe(chunks, chunkSize);
        Thread thread = new Thread(() -> {
            OutputStream out = pipe.output();
            try {
                producer.writeTo(out);
                out.close(); // the clean end: only after the producer finished, never on its failure
            } catch (Throwable t) {
                pipe.failWriter(t);
            }
        }, threadName);
        thread.setDaemon(true);
        thread.start();
        return pipe.input();
    }

    /**
     * Runs {@code consumer} on a new thread over what the caller writes to {@link Stage#output()}; the caller ends
     * with {@link Stage#finish()} for the consumer's result, or closes the stage to abandon it.
     */
    public static <T> Stage<T> consume(String threadName, int chunks, int chunkSize, Consumer<T> consumer) {
        return new Stage<>(new BoundedPipe(chunks, chunkSize), threadName, consumer);
    }

    /** The writing side. Not thread-safe: one writer. */
    public OutputStream output() {
        return new Out();
    }

    /** The reading side. Not thread-safe: one reader. */
    public InputStream input() {
        return new In();
    }

    /** Ends the data with a failure: the reader's next read throws {@code t}. */
    public void failWriter(Throwable t) {
        writerFailure = t;
        queue.clear(); // the reader may be waiting for room to appear behind a full queue: it sees the failure first
        queue.offer(END);
    }

    private static void rethrow(Throwable t) throws IOException {
        if (t instanceof IOException io) {
            throw io;
        }
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IOException(t.getMessage(), t);
    }

    private final class Out extends OutputStream {
        private byte[] chunk;
        private int filled;
        private boolean closed;

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                if (chunk == null) {
                    chunk = spare.poll();
                    if (chunk == null) {
                        chunk = new byte[chunkSize];
                        allocated++; // one writer
                    }
                }
                int n = Math.min(len, chunkSize - filled);
                System.arraycopy(b, off, chunk, filled, n);
                filled += n;
                off += n;
                len -= n;
                if (filled == chunkSize) {
                    flush();
                }
            }
        }

        @Override
        public void flush() throws IOException {
            if (filled > 0) {
                byte[] full;
                if (filled == chunk.length) {
                    full = chunk;
                    chunk = null;
                } else {
                    full = java.util.Arrays.copyOf(chunk, filled); // the chunk stays, to be filled again
                }
                filled = 0;
                put(full);
            }
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            flush();
            put(END);
        }

        private void put(Object item) throws IOException {
            try {
                while (!queue.offer(item, POLL_MILLIS, TimeUnit.MILLISECONDS)) {
                    checkReader();
                }
                checkReader();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("writing into the pipe was interrupted");
            }
        }

        private void checkReader() throws IOException {
            if (readerFailure != null) {
                rethrow(readerFailure);
            }
            if (readerClosed) {
                throw new IOException("the reading side of the pipe was closed");
            }
        }
    }

    private final class In extends InputStream {
        private byte[] current = NONE;
        private int position;
        private boolean ended;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (position == current.length) {
                if (ended) {
                    return -1;
                }
                if (current.length == chunkSize) {
                    spare.offer(current); // used up: the writer may fill it again
                }
                current = NONE;
                position = 0;
                Object item;
                try {
                    item = queue.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("reading from the pipe was interrupted");
                }
                if (writerFailure != null) {
                    ended = true;
                    rethrow(writerFailure);
                }
                if (item == END) {
                    ended = true;
                    return -1;
                }
                current = (byte[]) item;
                position = 0;
            }
            int n = Math.min(len, current.length - position);
            System.arraycopy(current, position, b, off, n);
            position += n;
            return n;
        }

        @Override
        public void close() {
            readerClosed = true;
            queue.clear();
        }
    }

    /** A consumer running on its own thread, fed by the caller. */
    public static final class Stage<T> implements AutoCloseable {
        private final BoundedPipe pipe;
        private final OutputStream output;
        private final CountDownLatch done = new CountDownLatch(1);
        private volatile T result;
        private volatile Throwable failure;
        private boolean finished;

        private Stage(BoundedPipe pipe, String threadName, Consumer<T> consumer) {
            this.pipe = pipe;
            this.output = pipe.output();
            Thread thread = new Thread(() -> {
                In in = pipe.new In(); // its close throws nothing
                try {
                    result = consumer.readFrom(in);
                } catch (Throwable t) {
                    failure = t;
                    pipe.readerFailure = t; // before the close: the writer must see the cause, not "closed"
                } finally {
                    try {
                        in.close();
                    } finally {
                        done.countDown();
                    }
                }
            }, threadName);
            thread.setDaemon(true);
            thread.start();
        }

        /** Where the caller writes; a write throws the consumer's failure once it has failed. */
        public OutputStream output() {
            return output;
        }

        /** Ends the data, waits for the consumer and returns its result or throws its failure. */
        public T finish() throws IOException {
            finished = true;
            try {
                output.close();
            } catch (IOException | RuntimeException e) {
                // the consumer's failure, thrown again below
            }
            await();
            if (failure != null) {
                rethrow(failure);
            }
            return result;
        }

        /** Abandons the stage unless finished: the consumer's next read fails, and this waits until it stopped. */
        @Override
        public void close() {
            if (!finished) {
                finished = true;
                pipe.failWriter(new IOException("the data stopped before its end"));
                try {
                    await();
                } catch (InterruptedIOException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        private void await() throws InterruptedIOException {
            try {
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("waiting for the pipe's reader was interrupted");
            }
        }
    }
}
