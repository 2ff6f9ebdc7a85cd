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
    void oneGlobCoversEveryDatabaseOfARails8AppAndPlainPathsAreNamedAfterTheirFile() throws Exception {
        for (String name : List.of("production", "production_cache", "production_queue", "production_cable")) {
            TestDatabases.create(data.resolve(name + ".sqlite3"), 3, 1);
        }
        Path other = Files.createDirectories(data.resolve("other"));
        TestDatabases.create(other.resolve("analytics.db"), 3, 1);

        List<Database> found = resolver(data + "/*.sqlite3," + other.resolve("analytics.db")).present();

        assertEquals(List.of("production", "production_cable", "production_cache", "production_queue", "analytics"),
                found.stream().map(Database::name).toList());
        assertEquals(Optional.of(data.resolve("production_queue.sqlite3")),
                resolver(data + "/*.sqlite3").pathFor("production_queue"));
    }

    @Test
    void aDatabaseFileThatAppearsLaterIsFoundByTheNextLookup() throws Exception {
        DatabaseResolver r = resolver(data + "/*.sqlite3");
        TestDatabases.create(data.resolve("production.sqlite3"), 3, 1);
        assertEquals(List.of("production"), r.present().stream().map(Database::name).toList());

        TestDatabases.create(data.resolve("production_cache.sqlite3"), 3, 1);

        assertEquals(List.of("production", "production_cache"), r.present().stream().map(Database::name).toList());
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
