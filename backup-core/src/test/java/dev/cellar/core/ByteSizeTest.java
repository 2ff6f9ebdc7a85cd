package dev.cellar.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ByteSizeTest {
    @Test
    void plainNumbersAndBinaryUnitsAreUnderstood() {
        assertEquals(OptionalLong.of(1048576), ByteSize.parse("1048576"));
        assertEquals(OptionalLong.of(512L << 20), ByteSize.parse("512MiB"));
        assertEquals(OptionalLong.of(8L << 30), ByteSize.parse("8G"));
        assertEquals(OptionalLong.of(64L << 10), ByteSize.parse(" 64kb "));
        assertEquals(OptionalLong.of(0), ByteSize.parse("0T"));
    }

    @Test
    void nonsenseAndOverflowAreRefused() {
        assertEquals(OptionalLong.empty(), ByteSize.parse("lots"));
        assertEquals(OptionalLong.empty(), ByteSize.parse("-1"));
        assertEquals(OptionalLong.empty(), ByteSize.parse("99999999999T"));
        assertEquals(OptionalLong.empty(), ByteSize.parse("99999999999999999999"));
    }
}
