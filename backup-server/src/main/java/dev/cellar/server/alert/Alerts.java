package dev.cellar.server.alert;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends transitions to the configured webhook and to Sentry, and the server's unexpected errors to Sentry. Never on
 * the caller's thread: each delivery runs on a background executor, and a failed webhook delivery is tried again
 * {@value #ATTEMPTS} times in all, 1, 2, 4, 8 and 16 seconds apart. Pending deliveries live in memory only: they
 * survive a failing receiver, not a stopped server (the transition stays recorded in the bucket, the alert is lost).
 */
public final class Alerts implements AutoCloseable {
    static final int ATTEMPTS = 6;
    static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    private static final Logger log = LoggerFactory.getLogger(Alerts.class);
    private final Optional<WebhookSender> webhook;
    private final Optional<SentryReporter> sentry;
    private final ScheduledThreadPoolExecutor executor;

    public Alerts(AlertSettings settings) {
        this.webhook = settings.webhook().map(WebhookSender::new);
        this.sentry = settings.sentryDsn().map(SentryReporter::new);
        this.executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "alerts");
            t.setDaemon(true);
            return t;
        });
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /** Queues {@code t} for every configured destination; returns at once. */
    public void send(Transition t) {
        webhook.ifPresent(w -> executor.execute(() -> deliver(w, t, 1)));
        sentry.ifPresent(s -> executor.execute(() -> s.transition(t)));
    }

    /** An error the server did not expect (the 500 path): to Sentry when it is set, else nowhere but the log. */
    public void unexpected(Exception e, String method, String path) {
        sentry.ifPresent(s -> executor.execute(() -> s.unexpected(e, method, path)));
    }

    private void deliver(WebhookSender w, Transition t, int attempt) {
        try {
            w.post(t);
            log.info("event=alert.sent destination=webhook tenant={} database={} to={} attempt={}", t.tenant(),
                    t.database(), t.to(), attempt);
        } catch (WebhookSender.Refused e) {
            log.error("event=alert.refused destination=webhook tenant={} database={} status={}", t.tenant(),
                    t.database(), e.status());
        } catch (Exception e) {
            if (attempt >= ATTEMPTS) {
                log.error("event=alert.given_up destination=webhook tenant={} database={} attempts={} error=\"{}\"",
                        t.tenant(), t.database(), attempt, e.getMessage());
                return;
            }
            long delay = FIRST_RETRY.toMillis() << (attempt - 1);
            log.warn("event=alert.retry destination=webhook tenant={} database={} attempt={} retryInMs={}"
                    + " error=\"{}\"", t.tenant(), t.database(), attempt, delay, e.getMessage());
            executor.schedule(() -> deliver(w, t, attempt + 1), delay, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void close() {
        executor.shutdown(); // queued deliveries still run; retries scheduled for later are dropped
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        executor.shutdownNow();
        sentry.ifPresent(SentryReporter::close);
    }
}
