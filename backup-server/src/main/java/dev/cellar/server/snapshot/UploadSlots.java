package dev.cellar.server.snapshot;

import dev.cellar.server.http.ApiError;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.LongSupplier;

/**
 * The server's upload slots: a fixed number at a time (each holds part buffers and codec state, so memory stays
 * bounded), and no more than a share of them for one tenant, so a tenant with stalled uploads cannot make every
 * other tenant's backups fail with "busy".
 *
 * <p>In front of the slots, a short queue: when every slot is taken, up to {@code queueLength} uploads wait, first
 * come first served, for at most {@code maxWait} before they are refused. A waiting upload has not read its body
 * yet, so it holds a connection and a thread but none of a slot's memory. A tenant's waiting uploads count toward
 * its share, so a tenant cannot fill the queue either. An upload joins the queue only when, at the pace the slots
 * were freed lately, its turn would come within the wait. A refusal's {@code Retry-After} is derived from the same
 * pace and the queue's length, instead of a fixed figure.
 */
final class UploadSlots {
    /** Retry-After before any upload finished: the pace of the slots is not known yet. */
    static final int DEFAULT_RETRY_AFTER = 5;
    /** The most ever advised, whatever one long upload did to the average. */
    static final int MAX_RETRY_AFTER = 60;
    private final int total;
    private final int perTenant;
    private final int queueLength;
    private final long maxWaitNanos;
    private final LongSupplier nanoTime;
    /** Per tenant: slots held plus uploads waiting for one. */
    private final Map<String, Integer> held = new HashMap<>();
    private int inUse;
    private int waiting;
    /** Tickets: waiters are served in the order they arrived. */
    private long nextTicket;
    private long serving;
    /** Tickets of waiters that gave up before their turn. */
    private final TreeSet<Long> abandoned = new TreeSet<>();
    /** Moving average of how long a slot was held, in nanoseconds; 0 until an upload finished. */
    private double averageHoldNanos;

    UploadSlots(int total, int perTenant, int queueLength, Duration maxWait, LongSupplier nanoTime) {
        this.total = total;
        this.perTenant = perTenant;
        this.queueLength = queueLength;
        this.maxWaitNanos = maxWait.toNanos();
        this.nanoTime = nanoTime;
    }

    /** A slot, released by closing it. */
    interface Slot extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * A slot at once when one is free and nobody waits for one; otherwise a place in the queue, if it has room,
     * until a slot frees or the wait runs out.
     *
     * @throws ApiError 503 busy when this tenant has its share, the queue is full or the wait ran out
     */
    synchronized Slot acquire(String tenant) {
        int mine = held.getOrDefault(tenant, 0);
        if (mine >= perTenant) {
            throw ApiError.unavailable("busy", "tenant " + tenant + " already has " + mine
                    + " uploads in progress, the most one tenant may run at once (BACKUP_MAX_UPLOADS_PER_TENANT);"
                    + " retry later", retryAfterSeconds());
        }
        if (inUse < total && waiting == 0) {
            held.merge(tenant, 1, Integer::sum);
            return take(tenant);
        }
        if (waiting >= queueLength || secondsUntilServed() * 1e9 > maxWaitNanos) {
            // a place in the queue only when a slot is likely to come free within the wait: a wait that runs out
            // costs the client that time for nothing
            throw ApiError.unavailable("busy", "the server is receiving as many uploads as it allows"
                    + " (BACKUP_MAX_CONCURRENT_UPLOADS) and " + waiting + " more wait for a slot"
                    + " (BACKUP_UPLOAD_QUEUE, BACKUP_UPLOAD_QUEUE_WAIT); retry later", retryAfterSeconds());
        }
        long ticket = nextTicket++;
        waiting++;
        held.merge(tenant, 1, Integer::sum);
        long deadline = nanoTime.getAsLong() + maxWaitNanos;
        boolean served = false;
        try {
            while (ticket != serving || inUse >= total) {
                long left = deadline - nanoTime.getAsLong();
                if (left <= 0) {
                    throw ApiError.unavailable("busy", "no upload slot came free within "
                            + Duration.ofNanos(maxWaitNanos).toMillis() + " ms (BACKUP_UPLOAD_QUEUE_WAIT,"
                            + " BACKUP_MAX_CONCURRENT_UPLOADS); retry later", retryAfterSeconds());
                }
                wait(Math.max(1, left / 1_000_000));
            }
            served = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiError.unavailable("busy", "the server is stopping; retry later", retryAfterSeconds());
        } finally {
            waiting--;
            if (!served) {
                releaseShare(tenant);
                abandoned.add(ticket);
            }
            advance(served);
        }
        return take(tenant);
    }

    /**
     * How long a refused upload is advised to wait: until the queue ahead of it, at the recent pace of the slots, is
     * short enough that it would be served within half the queue's wait.
     */
    synchronized int retryAfterSeconds() {
        if (averageHoldNanos == 0) {
            return DEFAULT_RETRY_AFTER;
        }
        double seconds = secondsUntilServed() - maxWaitNanos / 2e9;
        return (int) Math.max(1, Math.min(MAX_RETRY_AFTER, Math.ceil(seconds)));
    }

    /** When one more upload would get a slot: the uploads waiting, served {@code total} at a time. 0 unknown. */
    private double secondsUntilServed() {
        return averageHoldNanos / 1e9 * Math.ceil((waiting + 1.0) / total);
    }

    /** Uploads waiting for a slot now. */
    synchronized int waiting() {
        return waiting;
    }

    private Slot take(String tenant) {
        inUse++;
        long started = nanoTime.getAsLong();
        return new Slot() {
            private boolean closed;

            @Override
            public void close() {
                synchronized (UploadSlots.this) {
                    if (!closed) {
                        closed = true;
                        inUse--;
                        releaseShare(tenant);
                        long heldFor = nanoTime.getAsLong() - started;
                        averageHoldNanos = averageHoldNanos == 0 ? heldFor : 0.8 * averageHoldNanos + 0.2 * heldFor;
                        UploadSlots.this.notifyAll();
                    }
                }
            }
        };
    }

    private void releaseShare(String tenant) {
        held.computeIfPresent(tenant, (t, n) -> n == 1 ? null : n - 1);
    }

    /**
     * Moves the queue on: past the ticket just served, and past tickets whose uploads gave up waiting, so the ones
     * behind them do not wait for them.
     */
    private void advance(boolean servedOne) {
        if (servedOne) {
            serving++;
        }
        while (abandoned.remove(serving)) {
            serving++;
        }
        notifyAll();
    }
}
