package dev.cellar.agent.files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpaceAndFilesTest {
    @TempDir
    Path dir;

    @Test
    void fileStoreDiskSpaceReportsTheFolderFileStoresUsableSpace() throws Exception {
        FileStore store = Files.getFileStore(dir);
        long reported = new FileStoreDiskSpace().usableBytes(dir);

        assertTrue(reported > 0 && reported <= store.getTotalSpace(), "reported " + reported);
        // other processes write meanwhile: the two readings agree within 64 MiB
        assertTrue(Math.abs(reported - store.getUsableSpace()) < (64L << 20));
    }

    @Test
    void budgetRefusesAnEstimateThatWouldEatIntoTheReserve() throws Exception {
        SpaceBudget budget = new SpaceBudget(folder -> 1000, 100);

        budget.require("x", dir, 900);
        assertThrows(InsufficientSpaceException.class, () -> budget.require("x", dir, 901));
    }

    @Test
    void limitedStreamStopsAtTheReserveBeforeWritingPastIt() throws Exception {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        OutputStream out = new SpaceBudget(folder -> 1000, 100).limit("x", dir, sink);

        out.write(new byte[600]);
        out.write(new byte[300]);
        assertThrows(InsufficientSpaceException.class, () -> out.write(new byte[1]));
        assertEquals(900, sink.size());
    }

    @Test
    void atomicWriteReplacesTheFileWholeAndLeavesNoTemporaryFile() throws Exception {
        Path target = dir.resolve("state");
        AtomicFiles.write(target, "one".getBytes());
        AtomicFiles.write(target, "two".getBytes());

        assertArrayEquals("two".getBytes(), Files.readAllBytes(target));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(target), files.toList());
        }
    }

    @Test
    void staleTempFilesAreRemovedButThoseOfThisProcessStay() throws Exception {
        Path mine = TempFiles.create(dir, "main.sqlite3");
        Path deadPid = dir.resolve(".cellar-999999999-1-42-main.sqlite3.tmp");
        long self = ProcessHandle.current().pid();
        Path reusedPid = dir.resolve(".cellar-" + self + "-1-42-main.zst.tmp"); // same pid, another start time
        Path unrelated = dir.resolve("main.sqlite3");
        for (Path p : List.of(deadPid, reusedPid, unrelated)) {
            Files.writeString(p, "x");
        }

        assertEquals(2, TempFiles.removeStale(dir));

        assertTrue(Files.exists(mine));
        assertTrue(Files.exists(unrelated));
        assertTrue(Files.notExists(deadPid) && Files.notExists(reusedPid));
    }
}
