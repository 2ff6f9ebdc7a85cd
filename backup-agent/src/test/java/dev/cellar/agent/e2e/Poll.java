package dev.cellar.agent.e2e;

import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/** Waiting for something a child process does, up to a generous deadline: never a measure of speed. */
final class Poll {
    static final Duration DEADLINE = Duration.ofSeconds(60);

    @FunctionalInterface
    interface Check {
        boolean holds() throws Exception;
    }

    private Poll() {
    }

    /** Waits until {@code check} holds; fails with {@code what} and {@code context} when the deadline passes. */
    static void until(String what, Check check, Supplier<String> context) throws Exception {
        Instant deadline = Instant.now().plus(DEADLINE);
        while (!check.holds()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("still waiting after " + DEADLINE + " for " + what + "\n" + context.get());
            }
            Thread.sleep(50);
        }
    }
}
