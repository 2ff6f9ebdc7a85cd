package dev.cellar.server.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Text that leaves the server in an alert never carries what looks like a credential. */
class RedactionTest {
    @Test
    void tokensBearerValuesAndUrlCredentialsAreRemovedFromAReason() {
        Transition t = new Transition("acme", "app", "ok", "failing", "upload failed: 401 for"
                + " cellar.acme.3.Zm9vYmFy.c2lnbmF0dXJl_x-y with Authorization: Bearer abc.def via"
                + " https://user:pw@proxy.example.com/x", Instant.EPOCH);

        assertEquals("upload failed: 401 for [token removed] with Authorization: Bearer [removed] via"
                + " https://[removed]@proxy.example.com/x", t.reason());
        assertEquals("Cellar: acme/app is failing (was ok): " + t.reason(), t.text());
        assertNull(new Transition("acme", "app", "stale", "ok", null, Instant.EPOCH).reason());
    }
}
