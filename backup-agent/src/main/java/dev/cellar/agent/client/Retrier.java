package dev.cellar.agent.client;

import dev.cellar.agent.config.RetryPolicy;
import dev.cellar.agent.log.Kv;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a request again after network errors and retryable statuses (5xx, 408, 429), waiting as
 * {@link RetryPolicy} says; any other error is thrown at once.
 */
public final class Retrier {
    private static final Logger LOG = LoggerFactory.getLogger(Retrier.class);

    /** One try of a request. */
    @FunctionalInterface
    public interface Attempt<T> {
        T run() throws IOException, ApiException;
    }

    private final RetryPolicy policy;
    private volatile Instant stopBy;

    public Retrier(RetryPolicy policy) {
        this.policy = policy;
    }

    /**
     * From now on, no retry starts whose wait would end after {@code deadline} (the agent is shutting down and must
     * exit by then); the request fails as the server being unavailable instead.
     */
    public void stopBy(Instant deadline) {
        this.stopBy = deadline;
    }

    /**
     * @throws ServerUnavailableException when every attempt failed in a way that may pass
     * @throws ApiException               at once for a status that will not change on retry
     */
    public <T> T call(String what, Attempt<T> attempt) throws IOException, ApiException, InterruptedException {
        for (int n = 1; ; n++) {
            Exception failure;
            Optional<Duration> retryAfter = Optional.empty();
            try {
                return attempt.run();
            } catch (IOException e) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedException(what + " interrupted");
                }
                failure = e;
            } catch (ApiException e) {
                if (!e.retryable()) {
                    throw e;
                }
                failure = e;
                retryAfter = e.retryAfter();
            }
            if (n >= policy.attempts()) {
                throw new ServerUnavailableException(what, n, failure);
            }
            Duration delay = policy.delayBefore(n, retryAfter, ThreadLocalRandom.current());
            Instant deadline = stopBy;
            if (deadline != null && Instant.now().plus(delay).isAfter(deadline)) {
                LOG.warn("event=request.retry_abandoned request={} attempt={} reason=\"the agent is shutting down\"",
                        what, n);
                throw new ServerUnavailableException(what, n, failure);
            }
            LOG.warn("event=request.retry request={} attempt={} of={} delay_ms={} reason={}", what, n + 1,
                    policy.attempts(), delay.toMillis(), Kv.quote(failure instanceof IOException io ? describe(io)
                            : failure.getMessage()));
            Thread.sleep(delay.toMillis());
        }
    }

    static String describe(IOException e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }
}
