package dev.cellar.server.http;

import java.time.Duration;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.component.LifeCycle;

/**
 * Settings of every connector, set just before the server starts (Javalin adds its connector then):
 * <ul>
 *   <li>the idle timeout: a connection that sends nothing for that long is closed, whether it is between requests,
 *   in its headers or in a body;</li>
 *   <li>requests are handed to the application as soon as their headers are complete, not held until body bytes
 *   arrive: Jetty's delayed dispatch sometimes left a request whose first body bytes came with its headers waiting
 *   for content it already had, until the idle timeout closed it unanswered (seen with several stalled uploads at
 *   once on a loaded machine). Handlers authenticate before reading a body, so a request without credentials is
 *   still refused without waiting for one.</li>
 * </ul>
 */
public final class ConnectorSettings {
    private ConnectorSettings() {
    }

    public static void apply(Server server, Duration idleTimeout) {
        server.addEventListener(new LifeCycle.Listener() {
            @Override
            public void lifeCycleStarting(LifeCycle event) {
                for (Connector connector : server.getConnectors()) {
                    if (connector instanceof AbstractConnector c) {
                        c.setIdleTimeout(idleTimeout.toMillis());
                    }
                    HttpConnectionFactory http = connector.getConnectionFactory(HttpConnectionFactory.class);
                    if (http != null) {
                        http.getHttpConfiguration().setDelayDispatchUntilContent(false);
                    }
                }
            }
        });
    }
}
