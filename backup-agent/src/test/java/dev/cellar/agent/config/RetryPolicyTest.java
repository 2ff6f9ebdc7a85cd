package dev.cellar.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
    private final RetryPolicy policy = new RetryPolicy(8, Duration.ofSeconds(1), Duration.ofSeconds(60));

    @Test
    void delaysStayUnderAnExponentialCeilingCappedAtTheMaximum() {
        Random random = new Random(42);
        for (int retry = 1; retry <= 12; retry++) {
            long ceiling = Math.min(60_000, 1000L << (retry - 1));
            for (int i = 0; i < 200; i++) {
                long d = policy.delayBefore(retry, Optional.empty(), random).toMillis();
                assertTrue(d >= 0 && d <= ceiling, "retry " + retry + ": " + d + " > " + ceiling);
            }
        }
    }

    @Test
    void jitterSpreadsClientsApart() {
        Random random = new Random(7);
        long distinct = java.util.stream.IntStream.range(0, 50)
                .mapToLong(i -> policy.delayBefore(5, Optional.empty(), random).toMillis()).distinct().count();
        assertTrue(distinct > 40);
    }

    @Test
    void retryAfterIsHonouredEvenAboveTheBackoffButNotBeyondTenMinutes() {
        Random random = new Random(1);
        assertEquals(Duration.ofSeconds(30), policy.delayBefore(1, Optional.of(Duration.ofSeconds(30)), random));
        assertEquals(Duration.ofMinutes(10), policy.delayBefore(1, Optional.of(Duration.ofHours(5)), random));
    }
}
