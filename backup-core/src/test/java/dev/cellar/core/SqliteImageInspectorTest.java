package dev.cellar.core;

import static dev.cellar.core.SqliteFixtures.putU32;
import static dev.cellar.core.SqliteFixtures.u32;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteImageInspectorTest {
    private static final long NO_LIMIT = Long.MAX_VALUE;

    @TempDir
    Path dir;

    @Test
    void aCompleteDatabasePassesWithItsSizeAndSha256() throws Exception {
        Path db = SqliteFixtures.create(dir.resolve("a.db"), 0, 2_000);
        SqliteImageInspector inspector = new SqliteImageInspector(NO_LIMIT);

        Files.copy(db, inspector);
        SqliteImageInspector.Result result = inspector.finish();

        assertEquals(Files.size(db), result.sizeBytes());
        assertEquals(Files.size(db), inspector.length());
        assertEquals(sha256Hex(Files.readAllBytes(db)), result.sha256());
        assertEquals(4096, result.header().pageSize());
    }

    @Test
    void theResultDoesNotDependOnHowTheBytesAreSplitIntoWrites() throws Exception {
        byte[] file = SqliteFixtures.bytes(SqliteFixtures.create(dir.resolve("a.db"), 0, 200));
        SqliteImageInspector oneByOne = new SqliteImageInspector(NO_LIMIT);
        SqliteImageInspector oddChunks = new SqliteImageInspector(NO_LIMIT);

        for (byte b : Arrays.copyOf(file, 150)) {
            oneByOne.write(b);
        }
        oneByOne.write(file, 150, file.length - 150);
        // chunks of 7 bytes: the header arrives across fifteen writes, the 100th byte in the middle of one
        for (int at = 0; at < file.length; at += 7) {
            oddChunks.write(file, at, Math.min(7, file.length - at));
        }

        SqliteImageInspector.Result a = oneByOne.finish();
        SqliteImageInspector.Result b = oddChunks.finish();
        assertEquals(sha256Hex(file), a.sha256());
        assertEquals(sha256Hex(file), b.sha256());
        assertEquals(file.length, a.sizeBytes());
        assertEquals(file.length, b.sizeBytes());
    }

    @Test
    void aDatabaseWithPagesOf65536BytesPasses() throws Exception {
        Path db = SqliteFixtures.create(dir.resolve("big-pages.db"), 65536, 2_000);
        SqliteImageInspector inspector = new SqliteImageInspector(NO_LIMIT);

        Files.copy(db, inspector);
        SqliteImageInspector.Result result = inspector.finish();

        assertEquals(65536, result.header().pageSize());
        assertEquals(Files.size(db), result.sizeBytes());
        assertEquals(0, result.sizeBytes() % 65536);
        assertEquals(sha256Hex(Files.readAllBytes(db)), result.sha256());
    }

    @Test
    void aDatabaseMissingItsLastPageFails() throws Exception {
        byte[] file = SqliteFixtures.bytes(SqliteFixtures.create(dir.resolve("a.db"), 0, 2_000));
        SqliteImageInspector inspector = new SqliteImageInspector(NO_LIMIT);

        inspector.write(file, 0, file.length - 4096);

        NotSqliteException e = assertThrows(NotSqliteException.class, inspector::finish);
        assertTrue(e.getMessage().startsWith("SQLite database is truncated"), e.getMessage());
    }

    @Test
    void aDatabaseMissingItsLastByteFails() throws Exception {
        byte[] file = SqliteFixtures.bytes(SqliteFixtures.create(dir.resolve("a.db"), 0, 2_000));
        SqliteImageInspector inspector = new SqliteImageInspector(NO_LIMIT);

        inspector.write(file, 0, file.length - 1);

        NotSqliteException e = assertThrows(NotSqliteException.class, inspector::finish);
        assertTrue(e.getMessage().startsWith("SQLite database is truncated"), e.getMessage());
    }

    @Test
    void aDatabaseWithBytesAppendedFails() throws Exception {
        byte[] file = SqliteFixtures.bytes(SqliteFixtures.create(dir.resolve("a.db"), 0, 2_000));
        for (int extra : new int[] {1, 4096}) {
            SqliteImageInspector inspector = new SqliteImageInspector(NO_LIMIT);

            inspector.write(file);
            inspector.write(new byte[extra]);

            NotSqliteException e = assertThrows(NotSqliteException.class, inspector::finish);
            assertTrue(e.getMessage().startsWith("SQLite database is padded"), e.getMessage());
        }
    }

    @Test
    void aTextFileIsRefusedAsSoonAsItsFirstHundredBytesHaveArrived() throws Exception {
        byte[] text = "id,name\n1,alice\n2,bob\n".repeat(100).getBytes(StandardCharsets.US_ASCII);
        SqliteImageInspector inspector = new SqliteImageInspector(NO_LIMIT);

        for (int i = 0; i < SqliteHeader.LENGTH - 1; i++) {
            inspector.write(text[i]);
        }
        NotSqliteException e = assertThrows(NotSqliteException.class, () -> inspector.write(text[99]));

        assertEquals("not a SQLite database: the 'SQLite format 3' header is missing", e.getMessage());
    }

    @Test
    void aTextFileIsRefusedByTheWriteThatCarriesItsHeader() {
        byte[] text = "hello world\n".repeat(10_000).getBytes(StandardCharsets.US_ASCII);
        SqliteImageInspector inspector = new SqliteImageInspector(NO_LIMIT);

        assertThrows(NotSqliteException.class, () -> inspector.write(text, 0, 8192));
    }

    @Test
    void whenTheHeaderDoesNotVouchForItsPageCountWholePagesAreEnough() throws Exception {
        byte[] file = SqliteFixtures.bytes(SqliteFixtures.create(dir.resolve("a.db"), 0, 2_000));
        putU32(file, 92, u32(file, 24) + 1);

        SqliteImageInspector extraPage = new SqliteImageInspector(NO_LIMIT);
        extraPage.write(file);
        extraPage.write(new byte[4096]);
        SqliteImageInspector extraByte = new SqliteImageInspector(NO_LIMIT);
        extraByte.write(file);
        extraByte.write(0);

        assertEquals(file.length + 4096, extraPage.finish().sizeBytes());
        NotSqliteException e = assertThrows(NotSqliteException.class, extraByte::finish);
        assertTrue(e.getMessage().contains("is not a whole number of 4096-byte pages"), e.getMessage());
    }

    @Test
    void moreBytesThanTheMaximumAreRefusedByTheWriteThatCrossesIt() throws Exception {
        byte[] file = SqliteFixtures.bytes(SqliteFixtures.create(dir.resolve("a.db"), 0, 2_000));
        long max = file.length - 1;
        SqliteImageInspector inspector = new SqliteImageInspector(max);

        inspector.write(file, 0, file.length - 10);
        SizeLimitExceededException e = assertThrows(SizeLimitExceededException.class,
                () -> inspector.write(file, file.length - 10, 10));

        assertEquals(max, e.limit());
        assertEquals("the database image is larger than the maximum of " + max + " bytes", e.getMessage());
        assertEquals(file.length - 10, inspector.length());
    }

    @Test
    void exactlyTheMaximumIsAllowed() throws Exception {
        byte[] file = SqliteFixtures.bytes(SqliteFixtures.create(dir.resolve("a.db"), 0, 2_000));
        SqliteImageInspector inspector = new SqliteImageInspector(file.length);

        inspector.write(file);

        assertEquals(file.length, inspector.finish().sizeBytes());
    }

    @Test
    void nothingAtAllIsRefusedAsEmpty() {
        NotSqliteException e = assertThrows(NotSqliteException.class, new SqliteImageInspector(NO_LIMIT)::finish);

        assertEquals("the database image is empty", e.getMessage());
    }

    @Test
    void lessThanAHeaderIsRefusedAsTooShort() throws IOException {
        byte[] file = SqliteFixtures.bytes(SqliteFixtures.create(dir.resolve("a.db"), 0, 10));
        SqliteImageInspector inspector = new SqliteImageInspector(NO_LIMIT);

        inspector.write(file, 0, 99);

        NotSqliteException e = assertThrows(NotSqliteException.class, inspector::finish);
        assertEquals("too short for a SQLite database: 99 bytes", e.getMessage());
    }

    private static String sha256Hex(byte[] bytes) throws Exception {
        return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
