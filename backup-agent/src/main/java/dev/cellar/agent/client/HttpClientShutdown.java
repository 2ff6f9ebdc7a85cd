package dev.cellar.agent.client;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.http.HttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops an {@link HttpClient}'s selector thread, so that the process can exit at once.
 *
 * <p>A JVM that exits while one of its threads runs native code waits up to 300 ms for that thread (HotSpot's
 * {@code VM_Exit}), and an HttpClient's selector thread always does (it waits in {@code epoll_wait}): every one-shot
 * command paid 0.3 s at its end, the boot restore before the app could start among them. Java 21 and later stop
 * the client with {@code shutdownNow()} (not {@code close()}, which would wait for a stalled request). Java 17 has
 * no such method: its selector manager is shut down through the JDK's own classes, which the jar's manifest opens
 * ({@code Add-Opens: java.net.http/jdk.internal.net.http}). Where that is not possible (another JDK's internals,
 * the jar's classes run without its manifest) nothing is lost but the 0.3 s.
 */
final class HttpClientShutdown {
    private static final Logger LOG = LoggerFactory.getLogger(HttpClientShutdown.class);

    private HttpClientShutdown() {
    }

    /** Stops {@code client}; requests made afterwards fail. Never throws. */
    static void stop(HttpClient client) {
        try {
            Method shutdownNow;
            try {
                shutdownNow = HttpClient.class.getMethod("shutdownNow"); // Java 21 and later
            } catch (NoSuchMethodException e) {
                shutdownNow = null;
            }
            if (shutdownNow != null) {
                shutdownNow.invoke(client);
                return;
            }
            Object impl = field(client, "impl");
            Object selectorManager = field(impl, "selmgr");
            Method shutdown = selectorManager.getClass().getDeclaredMethod("shutdown");
            shutdown.setAccessible(true);
            shutdown.invoke(selectorManager);
        } catch (Exception | LinkageError e) {
            LOG.debug("event=http.client_not_stopped error={}", e.toString());
        }
    }

    private static Object field(Object owner, String name) throws ReflectiveOperationException {
        Field field = owner.getClass().getDeclaredField(name);
        field.setAccessible(true);
        return field.get(owner);
    }
}
