package dev.cellar.server.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cellar.server.http.ApiError;
import java.util.Optional;

/**
 * Coverage-guided fuzzing of {@code Range} parsing. Under {@code mvn verify} it replays the committed inputs in
 * {@code src/test/resources/.../ByteRangeFuzzTestInputs}; {@code JAZZER_FUZZ=1} explores (docs/RELIABILITY.md).
 */
class ByteRangeFuzzTest {

    /** Whatever the header, the answer is the whole object, a range inside it, or a 416 that names its size. */
    @FuzzTest(maxDuration = "2m")
    void anyRangeHeaderGivesARangeInsideTheObjectOrA416(FuzzedDataProvider data) {
        long size = data.consumeLong(0, Long.MAX_VALUE / 2);
        String header = data.consumeRemainingAsString();
        Optional<ByteRange> range;
        try {
            range = ByteRange.parse(header, size);
        } catch (ApiError e) {
            assertEquals(416, e.status(), header);
            assertEquals("bytes */" + size, e.headers().get("Content-Range"));
            return;
        }
        range.ifPresent(r -> {
            assertTrue(r.first() >= 0 && r.first() <= r.last() && r.last() < size, header + " on " + size + " → " + r);
            assertEquals(r.last() - r.first() + 1, r.length());
        });
    }
}
