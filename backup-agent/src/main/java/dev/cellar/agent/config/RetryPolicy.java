package dev.cellar.agent.config;

import java.time.Duration;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter: the wait before retry {@code n} (1-based) is a random duration up to
 * {@code min(maxDelay, baseDelay * 2^(n-1))}; a server's {@code Retry-After} wins when it asks for longer.
 *
 * @param attempts how many times a request is sent at most, the first one included
 */
public record RetryPolicy(int attempts, Duration baseDelay, Duration maxDelay) {
    static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(10);

    public RetryPolicy {
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be at least 1");
        }
    }

    /** The wait before retry number {@code retry} (1 = the first retry). */
    public Duration delayBefore(int retry, Optional<Duration> retryAfter, RandomGenerator random) {
        long capMillis = maxDelay.toMillis();
        long ceiling = Math.min(capMillis, baseDelay.toMillis() << Math.min(retry - 1, 30));
        long jittered = ceiling <= 0 ? 0 : random.nextLong(ceiling + 1);
        // a Retry-After is the server's own estimate: honour it, bounded so that a wild value cannot park the agent
        long asked = retryAfter.map(d -> Math.min(d.toMillis(), MAX_RETRY_AFTER.toMillis())).orElse(0L);
        return Duration.ofMillis(Math.max(jittered, asked));
    }
}
