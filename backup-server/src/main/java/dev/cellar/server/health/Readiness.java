package dev.cellar.server.health;

import dev.cellar.server.http.ApiError;
import dev.cellar.server.storage.BlobStore;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /ready}: 200 while the storage answers, 503 {@code storage_unavailable} while it does not. Unlike
 * {@code /up} (the process answers) it calls the storage, but at most once per {@link #TTL}: the answer is a
 * cached probe, so a load balancer polling it costs the bucket one LIST of one key per interval, whatever the
 * number of callers (callers that find the probe stale while another runs it wait for that one).
 */
public final class Readiness {
    private static final Logger LOG = LoggerFactory.getLogger(Readiness.class);
    /** How long one probe's verdict is served. */
    public static final Duration TTL = Duration.ofSeconds(5);

    /** One look at the storage; throws when it cannot be used. */
    @FunctionalInterface
    public interface Probe {
        void check() throws Exception;
    }

    /** A probe's verdict. */
    public record Verdict(boolean ready, String reason, Instant checkedAt) {
    }

    private final Probe probe;
    private final String storage;
    private final Clock clock;
    private Verdict last;

    public Readiness(Probe probe, String storage, Clock clock) {
        this.probe = probe;
        this.storage = storage;
        this.clock = clock;
    }

    /** Probes {@code store} by listing at most one key of its tenants: a real read with the server's own rights. */
    public static Readiness of(BlobStore store, Clock clock) {
        return new Readiness(() -> store.list("tenants/", null, 1), store.describe(), clock);
    }

    /** The current verdict: the cached one while it is fresh, else a new probe's. */
    public synchronized Verdict verdict() {
        Instant now = clock.instant();
        if (last != null && now.isBefore(last.checkedAt().plus(TTL))) {
            return last;
        }
        Verdict v;
        try {
            probe.check();
            v = new Verdict(true, null, now);
        } catch (Exception e) {
            v = new Verdict(false, e.getMessage() == null ? e.toString() : e.getMessage(), now);
        }
        if (last == null || last.ready() != v.ready()) {
            if (v.ready()) {
                LOG.info("event=readiness.ready storage={}", storage);
            } else {
                LOG.warn("event=readiness.not_ready storage={} reason=\"{}\"", storage, v.reason().replace('"', '\''));
            }
        }
        last = v;
        return v;
    }

    public void handle(Context ctx) {
        Verdict v = verdict();
        if (!v.ready()) {
            // public route: the bucket's name and endpoint stay in the log line, not in the answer
            throw ApiError.unavailable("storage_unavailable", "the storage cannot be used since " + v.checkedAt()
                    + "; the server log says why (event=readiness.not_ready)", (int) TTL.toSeconds());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "ready");
        body.put("checkedAt", v.checkedAt().toString());
        ctx.json(body);
    }
}
