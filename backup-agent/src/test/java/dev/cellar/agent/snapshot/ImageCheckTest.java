package dev.cellar.agent.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.cellar.agent.testing.BrokenImages;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The snapshot's check finds the same, whether it runs beside the digest or after it. */
class ImageCheckTest {
    @TempDir
    Path dir;

    private Path items(String name) throws Exception {
        Path db = dir.resolve(name);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, body TEXT)");
            s.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)"
                    + " INSERT INTO items SELECT i, printf('%.200c', 'x') FROM n");
        }
        return db;
    }

    @ParameterizedTest(name = "beside the digest: {0}")
    @ValueSource(booleans = {true, false})
    void aSoundImageHasNoFindingsAndABrokenOneHas(boolean beside) throws Exception {
        Path sound = items("sound.db");
        Path broken = items("broken.db");
        BrokenImages.breakBTree(broken);

        try (ImageCheck check = ImageCheck.start(sound, false, beside)) {
            assertEquals(List.of(), check.problems());
        }
        try (ImageCheck check = ImageCheck.start(broken, false, beside)) {
            assertFalse(check.problems().isEmpty());
        }
    }
}
