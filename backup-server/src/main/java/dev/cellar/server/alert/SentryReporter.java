package dev.cellar.server.alert;

import io.sentry.Scope;
import io.sentry.SentryClient;
import io.sentry.SentryEvent;
import io.sentry.SentryLevel;
import io.sentry.SentryOptions;
import io.sentry.protocol.Message;

/**
 * Events for Sentry ({@code SENTRY_DSN}), through a client of its own rather than the SDK's global one: no
 * uncaught-exception handler, no integrations, nothing but the events built here (no request headers, so never a
 * token). The SDK sends them on its own background thread.
 */
final class SentryReporter {
    private static final long FLUSH_MILLIS = 2000;
    private final SentryOptions options = new SentryOptions();
    private final SentryClient client;

    SentryReporter(String dsn) {
        options.setDsn(dsn);
        options.setSendDefaultPii(false);
        options.setEnableUncaughtExceptionHandler(false);
        this.client = new SentryClient(options);
    }

    void transition(Transition t) {
        SentryEvent event = new SentryEvent();
        Message message = new Message();
        message.setFormatted(t.text());
        event.setMessage(message);
        event.setLevel(t.recovery() ? SentryLevel.INFO : SentryLevel.WARNING);
        event.setLogger("cellar.status");
        event.setTag("tenant", t.tenant());
        event.setTag("database", t.database());
        event.setTag("from", t.from());
        event.setTag("to", t.to());
        event.setExtra("reason", t.reason());
        event.setExtra("at", t.at().toString());
        event.setFingerprints(java.util.List.of("cellar-status", t.tenant(), t.database(), t.to()));
        client.captureEvent(event, new Scope(options), null);
    }

    void unexpected(Exception e, String method, String path) {
        SentryEvent event = new SentryEvent(e);
        event.setLevel(SentryLevel.ERROR);
        event.setLogger("cellar.http");
        event.setTag("method", method);
        event.setTag("path", path);
        client.captureEvent(event, new Scope(options), null);
    }

    void close() {
        client.flush(FLUSH_MILLIS);
        client.close();
    }
}
