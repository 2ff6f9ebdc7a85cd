package dev.cellar.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cellar.server.testing.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabaseResolverTest {
    @TempDir
    Path data;

    private DatabaseResolver resolver(String spec) {
        return new DatabaseResolver(DatabaseSpec.parseList("BACKUP_DATABASES", spec));
    }

    @Test
    void globFindsDatabasesAndSkipsSideFilesHiddenFilesAndOtherFiles() throws Exception {
        TestDatabases.create(data.resolve("production.sqlite3"), 3, 1);
        TestDatabases.create(data.resolve("cache.sqlite3"), 3, 1);
        Files.writeString(data.resolve("production.sqlite3-wal"), "wal");
        Files.writeString(data.resolve(".cellar-1-2-3-main.sqlite3.tmp"), "temp");
        Files.writeString(data.resolve("notes.sqlite3"), "not a database");
        Files.createFile(data.resolve("empty.sqlite3"));

        List<Database> found = resolver(data + "/*.sqlite3").present();

        assertEquals(List.of(new Database("cache", data.resolve("cache.sqlite3")),
                new Database("production", data.resolve("production.sqlite3"))), found);
    }

    @Test
    void namedEntriesWinAndMapNamesToPaths() throws Exception {
        TestDatabases.create(data.resolve("production.sqlite3"), 3, 1);
        DatabaseResolver r = resolver("main=" + data.resolve("production.sqlite3") + "," + data + "/*.sqlite3");

        assertEquals(List.of(new Database("main", data.resolve("production.sqlite3")),
                new Database("production", data.resolve("production.sqlite3"))), r.present());
        assertEquals(List.of("main"), r.namedDatabases());
        assertEquals(Optional.of(data.resolve("production.sqlite3")), r.pathFor("main"));
        assertEquals(Optional.of(data.resolve("other.sqlite3")), r.pathFor("other"));
    }

    @Test
    void complexGlobsCannotNameAMissingDatabase() {
        assertEquals(Optional.empty(), resolver(data + "/db-*-v*.sqlite3").pathFor("main"));
        assertEquals(Optional.of(data.resolve("db-main.sqlite3")), resolver(data + "/db-*.sqlite3").pathFor("main"));
    }

    @Test
    void missingFolderMeansNoDatabasesYet() throws Exception {
        assertEquals(List.of(), resolver(data.resolve("nope") + "/*.sqlite3").present());
    }
}
