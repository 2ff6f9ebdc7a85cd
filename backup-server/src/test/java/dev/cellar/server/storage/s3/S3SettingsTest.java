package dev.cellar.server.storage.s3;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import org.junit.jupiter.api.Test;

class S3SettingsTest {
    private static final String SECRET = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY";
    private final S3Settings valid = S3Settings.of("backups", URI.create("https://fly.storage.tigris.dev"),
            "auto", "tid_example", SECRET, false);

    @Test
    void toStringNeverShowsTheSecret() {
        String text = valid.withPrefix("cellar/").toString();
        assertFalse(text.contains(SECRET), text);
        assertFalse(text.contains("EXAMPLEKEY"), text);
        assertTrue(text.contains("backups") && text.contains("cellar/") && text.contains("tid_example"), text);
    }

    @Test
    void defaultsAreEightMebibytePartsAndSingleCopyUpToFiveGibibytes() {
        assertEquals(8L << 20, valid.partSizeBytes());
        assertEquals(5L << 30, valid.copyPartSizeBytes());
        assertEquals("", valid.prefix());
    }

    @Test
    void endpointMayBeAbsentForAws() {
        assertDoesNotThrow(() -> valid.withEndpoint(null));
    }

    @Test
    void prefixMustEndWithSlashAndNotStartWithOne() {
        assertDoesNotThrow(() -> valid.withPrefix("a/b/"));
        assertThrows(IllegalArgumentException.class, () -> valid.withPrefix("cellar"));
        assertThrows(IllegalArgumentException.class, () -> valid.withPrefix("/cellar/"));
        assertThrows(NullPointerException.class, () -> valid.withPrefix(null));
    }

    @Test
    void partSizesHaveS3Limits() {
        long mib = 1L << 20;
        assertDoesNotThrow(() -> valid.withPartSizes(5 * mib, 5 * mib));
        assertThrows(IllegalArgumentException.class, () -> valid.withPartSizes(5 * mib - 1, 5 * mib));
        assertThrows(IllegalArgumentException.class, () -> valid.withPartSizes(2048 * mib, 5 * mib));
        assertThrows(IllegalArgumentException.class, () -> valid.withPartSizes(5 * mib, 5 * mib - 1));
        assertThrows(IllegalArgumentException.class, () -> valid.withPartSizes(5 * mib, (5L << 30) + 1));
    }

    @Test
    void refusesMissingOrMalformedFields() {
        assertThrows(IllegalArgumentException.class, () -> S3Settings.of(" ", null, "us-east-1", "k", "s", true));
        assertThrows(IllegalArgumentException.class, () -> S3Settings.of("a/b", null, "us-east-1", "k", "s", true));
        assertThrows(IllegalArgumentException.class, () -> S3Settings.of("b", null, "", "k", "s", true));
        assertThrows(IllegalArgumentException.class, () -> S3Settings.of("b", null, "us-east-1", null, "s", true));
        assertThrows(IllegalArgumentException.class, () -> S3Settings.of("b", null, "us-east-1", "k", "", true));
        assertThrows(IllegalArgumentException.class,
                () -> valid.withEndpoint(URI.create("fly.storage.tigris.dev")));
        assertThrows(IllegalArgumentException.class, () -> valid.withEndpoint(URI.create("ftp://host/")));
    }

    @Test
    void errorMessagesNeverShowTheSecret() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new S3Settings("b", null, "r", "k", SECRET, false, "p", 1, 1));
        assertFalse(e.getMessage().contains(SECRET));
    }
}
