package dev.cellar.server.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellar.server.http.ApiError;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The queue in front of the upload slots: who waits, in which order, who is refused, and the advised retry. */
class UploadSlotsTest {
    private static final Duration LONG = Duration.ofMinutes(5); // never reached: the tests release before
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        threads.shutdownNow();
    }

    @Test
    void anUploadBeyondTheSlotsWaitsAndGetsTheSlotWhenItFrees() throws Exception {
        UploadSlots slots = new UploadSlots(1, 1, 4, LONG, System::nanoTime);
        UploadSlots.Slot first = slots.acquire("a");
        Future<UploadSlots.Slot> second = queue(slots, "b");
        first.close();
        second.get(30, TimeUnit.SECONDS).close();
        assertEquals(0, slots.waiting());
    }

    @Test
    void waitingUploadsAreServedInTheOrderTheyCame() throws Exception {
        UploadSlots slots = new UploadSlots(1, 1, 4, LONG, System::nanoTime);
        UploadSlots.Slot held = slots.acquire("first");
        List<String> served = new CopyOnWriteArrayList<>();
        for (String tenant : List.of("b", "c", "d")) {
            int before = slots.waiting();
            threads.submit(() -> {
                try (UploadSlots.Slot s = slots.acquire(tenant)) {
                    served.add(tenant);
                }
                return null;
            });
            awaitWaiting(slots, before + 1);
        }
        held.close();
        awaitWaiting(slots, 0);
        threads.shutdown();
        assertTrue(threads.awaitTermination(30, TimeUnit.SECONDS));
        assertEquals(List.of("b", "c", "d"), served);
    }

    @Test
    void aFullQueueIsRefusedAtOnceNamingTheVariable() throws Exception {
        UploadSlots slots = new UploadSlots(1, 1, 1, LONG, System::nanoTime);
        UploadSlots.Slot held = slots.acquire("a");
        Future<UploadSlots.Slot> waiting = queue(slots, "b");
        ApiError refused = assertThrows(ApiError.class, () -> slots.acquire("c"));
        assertEquals(503, refused.status());
        assertEquals("busy", refused.code());
        assertTrue(refused.getMessage().contains("BACKUP_UPLOAD_QUEUE"), refused.getMessage());
        held.close();
        waiting.get(30, TimeUnit.SECONDS).close();
    }

    @Test
    void withoutAQueueAnUploadBeyondTheSlotsIsRefusedAtOnce() {
        UploadSlots slots = new UploadSlots(1, 1, 0, LONG, System::nanoTime);
        try (UploadSlots.Slot held = slots.acquire("a")) {
            assertEquals(503, assertThrows(ApiError.class, () -> slots.acquire("b")).status());
        }
        slots.acquire("b").close();
    }

    @Test
    void aWaitThatRunsOutIsRefusedAndLeavesTheQueue() {
        UploadSlots slots = new UploadSlots(1, 1, 4, Duration.ofMillis(20), System::nanoTime);
        UploadSlots.Slot held = slots.acquire("a");
        ApiError refused = assertThrows(ApiError.class, () -> slots.acquire("b"));
        assertTrue(refused.getMessage().contains("BACKUP_UPLOAD_QUEUE_WAIT"), refused.getMessage());
        assertEquals(0, slots.waiting());
        held.close();
        slots.acquire("b").close(); // its share was given back
    }

    @Test
    void anUploadThatGaveUpWaitingDoesNotHoldUpTheOnesBehindIt() throws Exception {
        UploadSlots slots = new UploadSlots(1, 1, 4, LONG, System::nanoTime);
        UploadSlots.Slot held = slots.acquire("a");
        Future<UploadSlots.Slot> quitter = queue(slots, "b");
        Future<UploadSlots.Slot> behind = queue(slots, "c");
        quitter.cancel(true); // its thread is interrupted while it waits
        awaitWaiting(slots, 1);
        held.close();
        behind.get(30, TimeUnit.SECONDS).close();
    }

    @Test
    void aTenantsWaitingUploadsCountTowardItsShare() throws Exception {
        UploadSlots slots = new UploadSlots(2, 1, 8, LONG, System::nanoTime);
        UploadSlots.Slot a = slots.acquire("a");
        UploadSlots.Slot b = slots.acquire("b");
        Future<UploadSlots.Slot> waiting = queue(slots, "c");
        ApiError refused = assertThrows(ApiError.class, () -> slots.acquire("c"));
        assertTrue(refused.getMessage().contains("BACKUP_MAX_UPLOADS_PER_TENANT"), refused.getMessage());
        assertEquals(1, slots.waiting(), "the refused upload did not join the queue");
        a.close();
        waiting.get(30, TimeUnit.SECONDS).close();
        b.close();
    }

    @Test
    void retryAfterFollowsHowLongUploadsHeldTheirSlots() {
        AtomicLong now = new AtomicLong();
        UploadSlots slots = new UploadSlots(2, 2, 0, Duration.ZERO, now::get);
        assertEquals(UploadSlots.DEFAULT_RETRY_AFTER, slots.retryAfterSeconds(), "before any upload finished");
        UploadSlots.Slot s = slots.acquire("a");
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(300));
        s.close();
        assertEquals(1, slots.retryAfterSeconds(), "short uploads: come back in a second");
        s = slots.acquire("a");
        now.addAndGet(TimeUnit.SECONDS.toNanos(1000));
        s.close();
        assertEquals(UploadSlots.MAX_RETRY_AFTER, slots.retryAfterSeconds(), "long uploads: capped");
        UploadSlots.Slot x = slots.acquire("a");
        UploadSlots.Slot y = slots.acquire("b");
        ApiError refused = assertThrows(ApiError.class, () -> slots.acquire("c"));
        assertEquals(String.valueOf(UploadSlots.MAX_RETRY_AFTER), refused.headers().get("Retry-After"));
        x.close();
        y.close();
    }

    @Test
    void anUploadIsNotQueuedWhenItsTurnWouldComeAfterTheWait() {
        AtomicLong now = new AtomicLong();
        UploadSlots slots = new UploadSlots(1, 1, 8, Duration.ofSeconds(10), now::get);
        UploadSlots.Slot s = slots.acquire("a");
        now.addAndGet(TimeUnit.SECONDS.toNanos(20));
        s.close(); // uploads hold a slot for 20 s lately
        UploadSlots.Slot held = slots.acquire("a");
        ApiError refused = assertThrows(ApiError.class, () -> slots.acquire("b"));
        assertEquals(0, slots.waiting(), "refused at once instead of waiting 10 s for nothing");
        // back when the rest of the wait fits half the queue's wait: 20 s - 5 s
        assertEquals("15", refused.headers().get("Retry-After"));
        held.close();
    }

    /** Starts an upload of {@code tenant} on a thread of its own and returns once it waits in the queue. */
    private Future<UploadSlots.Slot> queue(UploadSlots slots, String tenant) throws InterruptedException {
        int before = slots.waiting();
        Future<UploadSlots.Slot> slot = threads.submit(() -> slots.acquire(tenant));
        awaitWaiting(slots, before + 1);
        return slot;
    }

    /** Polls until the queue holds {@code n} uploads; bounded so that a bug fails instead of hanging. */
    private static void awaitWaiting(UploadSlots slots, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (slots.waiting() != n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("expected " + n + " waiting, found " + slots.waiting());
            }
            Thread.sleep(1);
        }
    }
}
