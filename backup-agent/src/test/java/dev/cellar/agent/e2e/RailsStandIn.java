package dev.cellar.agent.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A stand-in for a Rails 8 app folder ({@code /rails} in its image): Rails' own {@code bin/docker-entrypoint}
 * (a test resource) and a {@code bin/rails} whose {@code db:prepare} does what Rails' does to SQLite — creates a
 * missing database with its schema and bookkeeping rows, leaves an existing one's data alone — and whose
 * {@code server} is {@link TestApp}. {@code db:prepare} writes what it found to {@code DIR/db-prepare}.
 */
final class RailsStandIn {
    static final String PREPARE_REPORT = "db-prepare";

    private RailsStandIn() {
    }

    /** Writes the app folder under {@code root} for a database at {@code db}, reports going to {@code dir}. */
    static Path install(Path root, Path db, Path dir, String expectedRows) throws IOException {
        Path bin = Files.createDirectories(root.resolve("rails/bin"));
        Path entrypoint = bin.resolve("docker-entrypoint");
        try (InputStream in = RailsStandIn.class.getResourceAsStream("/rails/docker-entrypoint")) {
            Files.write(entrypoint, in.readAllBytes());
        }
        String prepare = command(AgentProcess.java(RailsStandIn.class.getName()), "db:prepare", db, dir);
        String server = command(AgentProcess.java(TestApp.class.getName()), db.toString(), dir.toString(),
                expectedRows, "0", "0");
        Files.writeString(bin.resolve("rails"), "#!/bin/bash -e\n"
                + "case \"$1\" in\n"
                + "  db:prepare) exec " + prepare + " ;;\n"
                + "  server) exec " + server + " ;;\n"
                + "  *) echo \"bin/rails stand-in: unknown command $1\" >&2; exit 64 ;;\n"
                + "esac\n");
        for (Path script : List.of(entrypoint, bin.resolve("rails"))) {
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return root.resolve("rails");
    }

    private static String command(List<String> java, Object... args) {
        List<String> all = new java.util.ArrayList<>(java);
        for (Object a : args) {
            all.add(a.toString());
        }
        return all.stream().map(a -> "'" + a.replace("'", "'\\''") + "'").collect(Collectors.joining(" "));
    }

    /** {@code RailsStandIn db:prepare DB DIR}. */
    public static void main(String[] args) throws IOException, SQLException {
        Path db = Path.of(args[1]);
        Path dir = Path.of(args[2]);
        boolean existed = Files.exists(db);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db.toAbsolutePath());
             Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY)");
            s.execute("CREATE TABLE IF NOT EXISTS ar_internal_metadata (key TEXT PRIMARY KEY, value TEXT)");
            s.execute("CREATE TABLE IF NOT EXISTS items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, data BLOB)");
            s.execute("INSERT OR IGNORE INTO schema_migrations VALUES ('20261101000000')");
            s.execute("INSERT OR IGNORE INTO ar_internal_metadata VALUES ('environment', 'production')");
        }
        String found = existed ? "existing" : "created";
        Files.writeString(dir.resolve(PREPARE_REPORT), found + "\n");
        System.out.println("bin/rails db:prepare: " + found + " " + db);
    }
}
