package dev.cellar.agent.run;

import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Catches SIGTERM and SIGINT instead of letting the JVM shut down, so that the agent can stop the app first, take
 * the last snapshot and exit with the app's status (a shutdown hook can do none of that).
 */
public final class Signals {
    private static final Logger LOG = LoggerFactory.getLogger(Signals.class);

    private Signals() {
    }

    public static void onTermination(Consumer<String> handler) {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), s -> handler.accept(s.getName()));
            } catch (IllegalArgumentException e) {
                LOG.warn("event=agent.signal_unavailable signal={} error={}", name, e.getMessage());
            }
        }
    }
}
