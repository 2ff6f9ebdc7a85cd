package dev.cellar.server.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cellar.core.Names;
import dev.cellar.core.NotSqliteException;
import dev.cellar.core.SnapshotVersion;
import dev.cellar.core.SqliteHeader;
import java.util.Optional;

/**
 * Coverage-guided fuzzing of the parsers every request path goes through before any storage key is built: names
 * (tenant, database, machine), versions, and the SQLite header. Their rules are restated here independently, so a
 * loosened regular expression is caught, not just an exception.
 */
class CoreParsersFuzzTest {

    /** A valid name is 1–64 ASCII letters, digits, '_' or '-', not starting with '_' or '-': safe as a key part. */
    @FuzzTest(maxDuration = "2m")
    void aNameIsValidExactlyWhenItIsASafeKeySegment(FuzzedDataProvider data) {
        String name = data.consumeRemainingAsString();
        boolean safe = !name.isEmpty() && name.length() <= 64 && name.chars().allMatch(CoreParsersFuzzTest::nameChar)
                && name.charAt(0) != '_' && name.charAt(0) != '-';
        assertEquals(safe, Names.isValid(name), name);
        if (!safe) {
            assertFalse(Names.problem("database", name).isEmpty()); // the 400's message never throws
        }
    }

    private static boolean nameChar(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    }

    /** An accepted version prints back as exactly the text it came from: two texts never name one snapshot. */
    @FuzzTest(maxDuration = "2m")
    void anAcceptedVersionRoundTripsToTheSameText(FuzzedDataProvider data) {
        String text = data.consumeRemainingAsString();
        Optional<SnapshotVersion> version = SnapshotVersion.parse(text);
        version.ifPresent(v -> {
            assertEquals(text, v.toString());
            assertEquals(v, SnapshotVersion.parse(v.toString()).orElseThrow());
        });
    }

    /** A header is refused with a reason, or gives a power-of-two page size and a length check that agrees. */
    @FuzzTest(maxDuration = "2m")
    void aSqliteHeaderIsRefusedOrConsistent(FuzzedDataProvider data) {
        long length = data.consumeLong(0, 1L << 40);
        byte[] bytes = data.consumeRemainingAsBytes();
        SqliteHeader header;
        try {
            header = SqliteHeader.parse(bytes);
        } catch (NotSqliteException e) {
            assertFalse(e.getMessage().isEmpty());
            return;
        }
        assertTrue(header.pageSize() >= 512 && header.pageSize() <= 65536 && Integer.bitCount(header.pageSize()) == 1);
        boolean complete;
        try {
            header.checkLength(length);
            complete = true;
        } catch (NotSqliteException e) {
            complete = false;
        }
        boolean expected = length % header.pageSize() == 0
                && header.expectedLength().stream().allMatch(l -> l == length);
        assertEquals(expected, complete, header + " with " + length + " bytes");
    }
}
