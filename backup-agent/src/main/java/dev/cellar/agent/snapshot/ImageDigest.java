package dev.cellar.agent.snapshot;

import dev.cellar.agent.files.Streams;
import dev.cellar.core.SqliteImageInspector;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** SHA-256 and SQLite header/length check of an image file, in one sequential read. */
public final class ImageDigest {
    private ImageDigest() {
    }

    public static SqliteImageInspector.Result of(Path image) throws IOException {
        SqliteImageInspector inspector = new SqliteImageInspector(Long.MAX_VALUE);
        try (InputStream in = Files.newInputStream(image)) {
            Streams.copy(in, inspector);
        }
        return inspector.finish();
    }
}
