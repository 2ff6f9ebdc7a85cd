package dev.cellar.server.health;

import static dev.cellar.server.testing.Http.request;
import static dev.cellar.server.testing.Http.send;
import static dev.cellar.server.testing.Http.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellar.server.testing.MutableClock;
import dev.cellar.server.testing.S3ProxyFixture;
import dev.cellar.server.testing.TcpGate;
import dev.cellar.server.testing.TestServer;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ReadinessTest {
    @Test
    void readyIs503WhileTheBucketCannotBeReachedAndUpStaysOk() throws Exception {
        try (S3ProxyFixture s3 = S3ProxyFixture.start(); TcpGate gate = new TcpGate(s3.endpoint().getPort());
             TestServer server = TestServer.startOn(s3, Map.of("AWS_ENDPOINT_URL_S3",
                     "http://127.0.0.1:" + gate.port()))) {
            assertEquals(200, get(server, "/ready").statusCode());
            assertTrue(text(get(server, "/ready")).contains("\"status\":\"ready\""));

            gate.cut();
            HttpResponse<byte[]> down = until(server, 503);
            assertTrue(text(down).contains("\"error\":\"storage_unavailable\""), text(down));
            assertFalse(text(down).contains(s3.bucket()), "a public answer does not name the bucket: " + text(down));
            assertEquals("5", down.headers().firstValue("Retry-After").orElseThrow());
            assertEquals(200, get(server, "/up").statusCode(), "liveness does not depend on the bucket");

            gate.reopen();
            until(server, 200);
        }
    }

    @Test
    void oneProbePerIntervalWhateverTheNumberOfCallers() {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-01T00:00:00Z"));
        AtomicInteger probes = new AtomicInteger();
        AtomicInteger failing = new AtomicInteger();
        Readiness readiness = new Readiness(() -> {
            probes.incrementAndGet();
            if (failing.get() > 0) {
                throw new IOException("connection refused");
            }
        }, "test", clock);

        for (int i = 0; i < 100; i++) {
            assertTrue(readiness.verdict().ready());
        }
        assertEquals(1, probes.get());
        failing.set(1);
        clock.advance(Readiness.TTL.minusMillis(1));
        assertTrue(readiness.verdict().ready(), "the cached verdict until it is stale");
        clock.advance(Duration.ofMillis(1));
        Readiness.Verdict down = readiness.verdict();
        assertFalse(down.ready());
        assertEquals("connection refused", down.reason());
        assertEquals(2, probes.get());
    }

    private static HttpResponse<byte[]> get(TestServer server, String path) {
        return send(request(server.baseUri(), path, null).build());
    }

    /** Polls /ready until it answers {@code status}: the cached verdict lasts {@link Readiness#TTL}. */
    private static HttpResponse<byte[]> until(TestServer server, int status) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (true) {
            HttpResponse<byte[]> r = get(server, "/ready");
            if (r.statusCode() == status || System.nanoTime() > deadline) {
                assertEquals(status, r.statusCode(), text(r));
                return r;
            }
            Thread.sleep(200);
        }
    }
}
