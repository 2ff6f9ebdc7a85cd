package dev.cellar.server.http;

import java.time.Duration;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.component.LifeCycle;

/**
 * Sets the idle timeout of every connector: a connection that sends nothing for that long is closed, whether it is
 * between requests, in its headers or in a body. Javalin adds its connector just before the server starts, so the
 * timeout is set then.
 */
public final class IdleTimeout {
    private IdleTimeout() {
    }

    public static void apply(Server server, Duration timeout) {
        server.addEventListener(new LifeCycle.Listener() {
            @Override
            public void lifeCycleStarting(LifeCycle event) {
                for (Connector connector : server.getConnectors()) {
                    if (connector instanceof AbstractConnector c) {
                        c.setIdleTimeout(timeout.toMillis());
                    }
                }
            }
        });
    }
}
