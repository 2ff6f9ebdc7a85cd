package dev.cellar.agent.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetryAfterTest {
    @Test
    void secondsAndHttpDatesAreUnderstoodAndNonsenseIsIgnored() {
        assertEquals(Optional.of(Duration.ofSeconds(7)), BackupClient.parseRetryAfter("7"));
        assertEquals(Optional.of(Duration.ZERO), BackupClient.parseRetryAfter("-3"));
        assertEquals(Optional.empty(), BackupClient.parseRetryAfter("soon"));
        String inAMinute = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(60));
        Duration d = BackupClient.parseRetryAfter(inAMinute).orElseThrow();
        assertTrue(d.compareTo(Duration.ofSeconds(50)) > 0 && d.compareTo(Duration.ofSeconds(61)) <= 0, d.toString());
    }
}
