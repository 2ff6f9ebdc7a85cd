package dev.cellar.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {
    @ParameterizedTest
    @CsvSource({
        "500ms, PT0.5S",
        "30s, PT30S",
        "90m, PT1H30M",
        "48h, PT48H",
        "2d, PT48H",
        "48H, PT48H",
        "5 m, PT5M",
        " 30s , PT30S",
        "PT48H, PT48H",
        "pt10s, PT10S",
        "P2D, PT48H",
        "PT0.25S, PT0.25S",
        "30, PT30S",
        "0, PT0S",
        "-PT1M, -PT1M",
    })
    void everyFormOperatorsWriteIsRead(String text, Duration expected) {
        assertEquals(Optional.of(expected), Durations.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "soon", "a day", "-60", "1.5h", "10 minutes", "1h30m", "5w", "ms", "PT",
        "99999999999999999999", "9999999999999999999s", "99999999999999999d", "PT99999999999999999999H"})
    void anythingElseIsNoDuration(String text) {
        assertEquals(Optional.empty(), Durations.parse(text));
    }
}
