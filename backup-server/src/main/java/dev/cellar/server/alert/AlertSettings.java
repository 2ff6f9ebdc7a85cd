package dev.cellar.server.alert;

import java.net.URI;
import java.util.Optional;

/**
 * Where alerts go; neither set means nothing is sent anywhere. Both values are secrets of a kind (a chat webhook's
 * address is its credential), so they are never logged.
 *
 * @param webhook   {@code BACKUP_ALERT_WEBHOOK_URL}: a JSON POST per transition (Slack-compatible {@code text})
 * @param sentryDsn {@code SENTRY_DSN}: transitions and the server's unexpected errors as Sentry events
 */
public record AlertSettings(Optional<URI> webhook, Optional<String> sentryDsn) {
    public static final AlertSettings NONE = new AlertSettings(Optional.empty(), Optional.empty());
}
