package dev.cellar.agent.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A response body as an {@link InputStream} whose every read gives up after {@code idle} without a byte.
 * {@code java.net.http} bounds only the wait for the headers: a server or proxy that goes silent mid-body would
 * otherwise hold a boot restore (and the database's snapshot lock) forever. A read that times out cancels the
 * response, which closes its connection, and throws {@link HttpTimeoutException}; a download then resumes with
 * {@code Range}, any other request is retried.
 */
final class StallProofBody implements HttpResponse.BodySubscriber<InputStream> {
    private static final Object END = new Object();

    private final Duration idle;
    private final BlockingQueue<Object> arrived = new LinkedBlockingQueue<>();
    private final Body body = new Body();
    private Flow.Subscription subscription;
    private boolean closed;

    private StallProofBody(Duration idle) {
        this.idle = idle;
    }

    static HttpResponse.BodyHandler<InputStream> handler(Duration idle) {
        return info -> new StallProofBody(idle);
    }

    @Override
    public CompletionStage<InputStream> getBody() {
        return CompletableFuture.completedFuture(body);
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        boolean cancel;
        synchronized (this) {
            subscription = s;
            cancel = closed;
        }
        if (cancel) {
            s.cancel();
        } else {
            s.request(1);
        }
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        arrived.add(buffers);
    }

    @Override
    public void onError(Throwable t) {
        arrived.add(t);
    }

    @Override
    public void onComplete() {
        arrived.add(END);
    }

    private void cancel() {
        Flow.Subscription s;
        synchronized (this) {
            closed = true;
            s = subscription;
        }
        if (s != null) {
            s.cancel();
        }
    }

    private synchronized void requestMore() {
        if (subscription != null && !closed) {
            subscription.request(1);
        }
    }

    private final class Body extends InputStream {
        private Iterator<ByteBuffer> buffers = List.<ByteBuffer>of().iterator();
        private ByteBuffer current = ByteBuffer.allocate(0);
        private boolean ended;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (!current.hasRemaining()) {
                if (buffers.hasNext()) {
                    current = buffers.next();
                    continue;
                }
                if (ended) {
                    return -1;
                }
                next();
            }
            int n = Math.min(len, current.remaining());
            current.get(b, off, n);
            return n;
        }

        @SuppressWarnings("unchecked")
        private void next() throws IOException {
            Object item;
            try {
                item = arrived.poll(idle.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                cancel();
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("reading the answer was interrupted");
            }
            if (item == null) {
                cancel();
                ended = true;
                throw new HttpTimeoutException("no byte of the answer arrived for " + idle.toMillis() + " ms");
            }
            if (item == END) {
                ended = true;
            } else if (item instanceof Throwable t) {
                ended = true;
                throw t instanceof IOException io ? io : new IOException(t.getMessage(), t);
            } else {
                buffers = ((List<ByteBuffer>) item).iterator();
                requestMore();
            }
        }

        @Override
        public void close() {
            ended = true;
            cancel();
        }
    }
}
