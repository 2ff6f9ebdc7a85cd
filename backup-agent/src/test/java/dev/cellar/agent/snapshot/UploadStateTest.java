package dev.cellar.agent.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cellar.agent.config.Database;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UploadStateTest {
    @TempDir
    Path data;

    @Test
    void stateSurvivesANewInstanceBesideTheDatabaseByDefault() throws Exception {
        Database db = new Database("main", data.resolve("main.sqlite3"));
        UploadState.Entry entry = new UploadState.Entry("ab".repeat(32), "20261121T100000000Z-abababab", 4096, 1024,
                Instant.parse("2026-11-21T10:00:00Z"));

        new UploadState(Optional.empty()).write(db, entry);

        assertEquals(data.resolve(".cellar/main.state"), new UploadState(Optional.empty()).fileFor(db));
        assertEquals(Optional.of(entry), new UploadState(Optional.empty()).read(db));
    }

    @Test
    void anUnreadableStateMeansTheNextSnapshotIsSent() throws Exception {
        Database db = new Database("main", data.resolve("main.sqlite3"));
        UploadState state = new UploadState(Optional.of(data.resolve("state")));
        Files.createDirectories(data.resolve("state"));
        Files.writeString(state.fileFor(db), "sha256=\nsizeBytes=garbage");

        assertEquals(Optional.empty(), state.read(db));
    }
}
