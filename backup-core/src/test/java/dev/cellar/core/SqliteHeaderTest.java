package dev.cellar.core;

import static dev.cellar.core.SqliteFixtures.putU32;
import static dev.cellar.core.SqliteFixtures.u32;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SqliteHeaderTest {
    @TempDir
    Path dir;

    @Test
    void readsPageSizeAndPageCountOfARealDatabase() throws Exception {
        byte[] file = SqliteFixtures.bytes(SqliteFixtures.create(dir.resolve("a.db"), 0, 500));

        SqliteHeader header = SqliteHeader.parse(file);

        assertEquals(4096, header.pageSize());
        assertTrue(header.pageCount() > 1);
        assertTrue(header.pageCountValid());
        assertEquals(OptionalLong.of(file.length), header.expectedLength());
        assertDoesNotThrow(() -> header.checkLength(file.length));
    }

    @ParameterizedTest
    @ValueSource(ints = {512, 1024, 8192, 32768, 65536})
    void readsEveryPageSizeSqliteWrites(int pageSize) throws Exception {
        byte[] file = SqliteFixtures.bytes(SqliteFixtures.create(dir.resolve("p.db"), pageSize, 50));

        SqliteHeader header = SqliteHeader.parse(file);

        assertEquals(pageSize, header.pageSize());
        assertEquals(file.length, header.pageCount() * pageSize);
    }

    @Test
    void pageSizeOf65536IsStoredAsOneInTheHeader() throws Exception {
        byte[] file = SqliteFixtures.bytes(SqliteFixtures.create(dir.resolve("big-pages.db"), 65536, 10));

        assertEquals(1, SqliteFixtures.u16(file, 16));
        assertEquals(65536, SqliteHeader.parse(file).pageSize());
    }

    @Test
    void readsOnlyTheFirstHundredBytes() throws Exception {
        byte[] file = SqliteFixtures.bytes(SqliteFixtures.create(dir.resolve("a.db"), 0, 10));

        SqliteHeader fromHeader = SqliteHeader.parse(Arrays.copyOf(file, SqliteHeader.LENGTH));

        assertEquals(SqliteHeader.parse(file), fromHeader);
    }

    @Test
    void refusesFewerThanAHundredBytes() {
        byte[] short99 = Arrays.copyOf("SQLite format 3\0".getBytes(StandardCharsets.US_ASCII), 99);

        NotSqliteException e = assertThrows(NotSqliteException.class, () -> SqliteHeader.parse(short99));
        assertEquals("too short for a SQLite database: 99 bytes", e.getMessage());
    }

    @Test
    void refusesBytesWithoutTheMagicString() throws Exception {
        byte[] file = SqliteFixtures.bytes(SqliteFixtures.create(dir.resolve("a.db"), 0, 10));
        byte[] text = Arrays.copyOf("CREATE TABLE items (id INTEGER PRIMARY KEY);\n".repeat(5)
                .getBytes(StandardCharsets.US_ASCII), 200);
        byte[] format2 = file.clone();
        format2[14] = '2';
        byte[] noNul = file.clone();
        noNul[15] = ' ';

        for (byte[] bytes : new byte[][] {text, format2, noNul}) {
            NotSqliteException e = assertThrows(NotSqliteException.class, () -> SqliteHeader.parse(bytes));
            assertEquals("not a SQLite database: the 'SQLite format 3' header is missing", e.getMessage());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 2, 256, 511, 1000, 4095, 4097, 32769, 65535})
    void refusesAPageSizeThatIsNotAPowerOfTwoFrom512To65536(int rawPageSize) throws Exception {
        byte[] file = SqliteFixtures.bytes(SqliteFixtures.create(dir.resolve("a.db"), 0, 10));
        file[16] = (byte) (rawPageSize >>> 8);
        file[17] = (byte) rawPageSize;

        NotSqliteException e = assertThrows(NotSqliteException.class, () -> SqliteHeader.parse(file));
        assertEquals("not a SQLite database: invalid page size " + rawPageSize, e.getMessage());
    }

    @Test
    void checkLengthRefusesAFileOnePageShortAsTruncated() throws Exception {
        byte[] file = SqliteFixtures.bytes(SqliteFixtures.create(dir.resolve("a.db"), 0, 500));
        SqliteHeader header = SqliteHeader.parse(file);

        NotSqliteException e = assertThrows(NotSqliteException.class, () -> header.checkLength(file.length - 4096));
        assertEquals("SQLite database is truncated: the header says " + header.pageCount() + " pages of 4096 bytes = "
                + file.length + " bytes, got " + (file.length - 4096), e.getMessage());
    }

    @Test
    void checkLengthRefusesAFileOnePageLongAsPadded() throws Exception {
        byte[] file = SqliteFixtures.bytes(SqliteFixtures.create(dir.resolve("a.db"), 0, 500));
        SqliteHeader header = SqliteHeader.parse(file);

        NotSqliteException e = assertThrows(NotSqliteException.class, () -> header.checkLength(file.length + 4096));
        assertTrue(e.getMessage().startsWith("SQLite database is padded: the header says"), e.getMessage());
    }

    @Test
    void aPageCountIsNotTrustedWhenVersionValidForDiffersFromTheChangeCounter() throws Exception {
        byte[] file = SqliteFixtures.bytes(SqliteFixtures.create(dir.resolve("a.db"), 0, 500));
        // as a file last written by SQLite before 3.7.0 would look: offset 92 lags the change counter at 24
        putU32(file, 92, u32(file, 24) - 1);

        SqliteHeader header = SqliteHeader.parse(file);

        assertFalse(header.pageCountValid());
        assertEquals(OptionalLong.empty(), header.expectedLength());
        // then the length only has to be whole pages
        assertDoesNotThrow(() -> header.checkLength(file.length + 4096));
        assertDoesNotThrow(() -> header.checkLength(file.length - 4096));
        NotSqliteException e = assertThrows(NotSqliteException.class, () -> header.checkLength(file.length + 1));
        assertEquals("SQLite database is truncated: " + (file.length + 1)
                + " bytes is not a whole number of 4096-byte pages", e.getMessage());
    }

    @Test
    void aPageCountOfZeroIsNotTrusted() throws Exception {
        byte[] file = SqliteFixtures.bytes(SqliteFixtures.create(dir.resolve("a.db"), 0, 10));
        putU32(file, 28, 0);

        SqliteHeader header = SqliteHeader.parse(file);

        assertFalse(header.pageCountValid());
        assertDoesNotThrow(() -> header.checkLength(file.length));
    }

    @Test
    void expectedLengthDoesNotOverflowForTheLargestPossibleDatabase() throws Exception {
        byte[] file = SqliteFixtures.bytes(SqliteFixtures.create(dir.resolve("a.db"), 65536, 10));
        putU32(file, 28, 0xFFFF_FFFFL);

        SqliteHeader header = SqliteHeader.parse(file);

        assertEquals(0xFFFF_FFFFL, header.pageCount());
        assertEquals(OptionalLong.of(0xFFFF_FFFFL * 65536), header.expectedLength());
    }
}
