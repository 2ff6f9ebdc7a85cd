package dev.cellar.server.alert;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cellar.server.http.Json;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Posts a transition as JSON to {@code BACKUP_ALERT_WEBHOOK_URL}: a {@code text} line that a Slack-compatible
 * incoming webhook shows, and the structured fields beside it. The address is never logged (it is the credential).
 */
final class WebhookSender {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private final URI url;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private final ObjectMapper json = Json.mapper();

    /** The receiver answered with a status a retry will not change (a 4xx other than 408 and 429). */
    static final class Refused extends IOException {
        private final int status;

        Refused(int status) {
            super("the webhook answered " + status);
            this.status = status;
        }

        int status() {
            return status;
        }
    }

    WebhookSender(URI url) {
        this.url = url;
    }

    void post(Transition t) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("text", t.text());
        body.put("tenant", t.tenant());
        body.put("database", t.database());
        body.put("from", t.from());
        body.put("to", t.to());
        body.put("reason", t.reason());
        body.put("at", t.at().toString());
        HttpRequest request = HttpRequest.newBuilder(url).timeout(TIMEOUT)
                .header("Content-Type", "application/json").header("User-Agent", "cellar-server")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body))).build();
        int status;
        try {
            status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        }
        if (status / 100 == 2) {
            return;
        }
        if (status / 100 == 4 && status != 408 && status != 429) {
            throw new Refused(status);
        }
        throw new IOException("the webhook answered " + status);
    }
}
