package dev.cellar.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EnvReaderTest {
    private static String problem(String name, String value, java.util.function.Consumer<EnvReader> read) {
        EnvReader r = new EnvReader(Map.of(name, value));
        read.accept(r);
        ConfigException e = assertThrows(ConfigException.class, r::throwIfProblems);
        assertEquals(1, e.problems().size(), e.getMessage());
        assertEquals("invalid configuration:\n  - " + e.problems().get(0), e.getMessage());
        return e.problems().get(0);
    }

    @Test
    void blankCountsAsUnsetAndValuesAreTrimmed() {
        EnvReader r = new EnvReader(Map.of("A", "  ", "B", " value "));

        assertEquals(Optional.empty(), r.string("A"));
        assertEquals("fallback", r.string("A", "fallback"));
        assertEquals("value", r.string("B", "fallback"));
        assertEquals(7, r.integer("A", 7, 0, 10));
        assertEquals(Duration.ofSeconds(3), r.duration("A", Duration.ofSeconds(3)));
        assertFalse(r.hasProblems());
        r.throwIfProblems();
    }

    @Test
    void wholeNumbersInRange() {
        assertEquals(9091, new EnvReader(Map.of("P", "9091")).integer("P", 0, 0, 65535));
        assertEquals(Optional.of(0), new EnvReader(Map.of("P", "0")).optionalInteger("P", 0, 65535));
        assertEquals(Optional.empty(), new EnvReader(Map.of()).optionalInteger("P", 0, 65535));
        assertEquals("P must be between 0 and 65535, got 70000", problem("P", "70000", r -> r.integer("P", 1, 0, 65535)));
        assertEquals("P must be a whole number, got 'http'", problem("P", "http", r -> r.integer("P", 1, 0, 65535)));
        assertEquals("P must be a whole number, got '99999999999'",
                problem("P", "99999999999", r -> r.optionalInteger("P", 0, 65535)));
    }

    @ParameterizedTest
    @CsvSource({"true, true", "TRUE, true", "yes, true", "on, true", "1, true",
        "false, false", "No, false", "off, false", "0, false"})
    void booleansInEveryUsualSpelling(String text, boolean expected) {
        assertEquals(expected, new EnvReader(Map.of("B", text)).bool("B", !expected));
    }

    @Test
    void aBooleanOfAnyOtherWordIsAProblem() {
        assertEquals("B must be true or false, got 'maybe'", problem("B", "maybe", r -> r.bool("B", true)));
    }

    @ParameterizedTest
    @CsvSource({"1048576, 1048576", "64KiB, 65536", "16MiB, 16777216", "4GiB, 4294967296", "8G, 8589934592",
        "512 MiB, 536870912", "2048B, 2048"})
    void sizesInBytesOrPowersOf1024(String text, long expected) {
        assertEquals(expected, new EnvReader(Map.of("S", text)).bytes("S", 1, 0));
    }

    @Test
    void sizeProblemsQuoteTheValueAndTheLimit() {
        assertEquals("S must be a size such as 1073741824, 512MiB or 8GiB, got '8 gigs'",
                problem("S", "8 gigs", r -> r.bytes("S", 1, 0)));
        assertEquals("S must be at least 1024 bytes, got 1023", problem("S", "1023", r -> r.bytes("S", 4096, 1024)));
        assertEquals("S must be at most 1073741824 bytes, got '2GiB'",
                problem("S", "2GiB", r -> r.bytes("S", 4096, 0, 1L << 30)));
    }

    @Test
    void durationsInEveryFormAndTheirProblems() {
        assertEquals(Duration.ofHours(48), new EnvReader(Map.of("D", "48h")).duration("D", Duration.ZERO));
        assertEquals(Duration.ofSeconds(30), new EnvReader(Map.of("D", "PT30S")).duration("D", Duration.ZERO));
        assertEquals(Duration.ofSeconds(30), new EnvReader(Map.of("D", "30")).duration("D", Duration.ZERO));
        assertEquals(Duration.ZERO, new EnvReader(Map.of("D", "0")).duration("D", Duration.ofSeconds(5)));
        assertEquals("D must be a duration such as 500ms, 30s, 90m, 48h, 2d, PT48H or a number of seconds,"
                + " got 'soon'", problem("D", "soon", r -> r.duration("D", Duration.ZERO)));
        assertEquals("D must not be negative, got '-PT1M'", problem("D", "-PT1M", r -> r.duration("D", Duration.ZERO)));
        assertEquals("D must be longer than zero, got '0s'",
                problem("D", "0s", r -> r.positiveDuration("D", Duration.ofSeconds(1))));
        assertEquals(Duration.ofMinutes(1), new EnvReader(Map.of()).positiveDuration("D", Duration.ofMinutes(1)));
    }

    @Test
    void urlsMustBeAbsolute() {
        assertEquals(Optional.of(URI.create("https://fly.storage.tigris.dev")),
                new EnvReader(Map.of("U", "https://fly.storage.tigris.dev")).uri("U"));
        assertEquals("U must be an absolute URL such as https://fly.storage.tigris.dev, got 'fly.storage.tigris.dev'",
                problem("U", "fly.storage.tigris.dev", r -> r.uri("U")));
        assertEquals("U must be a URL, got 'not a url'", problem("U", "not a url", r -> r.uri("U")));
    }

    @Test
    void everyProblemIsCollectedIntoOneMessageInOrder() {
        EnvReader r = new EnvReader(Map.of("A", "x", "B", "y", "C", "z"));
        r.integer("A", 0, 0, 1);
        r.bool("B", false);
        r.problems(new ConfigException("C: composite value is wrong"));
        r.problem("D", "is required when C is set");

        ConfigException e = assertThrows(ConfigException.class, r::throwIfProblems);

        assertTrue(r.hasProblems());
        assertEquals(List.of("A must be a whole number, got 'x'", "B must be true or false, got 'y'",
                "C: composite value is wrong", "D is required when C is set"), e.problems());
        assertEquals("""
                invalid configuration:
                  - A must be a whole number, got 'x'
                  - B must be true or false, got 'y'
                  - C: composite value is wrong
                  - D is required when C is set""", e.getMessage());
    }
}
