package dev.cellar.agent.config;

import dev.cellar.core.Names;
import dev.cellar.core.config.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns {@code BACKUP_DATABASES} into the databases present on disk, and maps a database name back to the path
 * it should be restored to when its file is missing.
 */
public final class DatabaseResolver {
    private static final Logger LOG = LoggerFactory.getLogger(DatabaseResolver.class);
    private static final byte[] MAGIC = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);
    private static final List<String> SIDE_FILES = List.of("-wal", "-shm", "-journal");

    private final List<DatabaseSpec> specs;

    public DatabaseResolver(List<DatabaseSpec> specs) {
        this.specs = specs;
    }

    /**
     * The configured databases whose files exist now. Glob matches that are not SQLite databases (side files,
     * dot files, the agent's own files) are skipped; a name claimed twice keeps its first path.
     */
    public List<Database> present() throws IOException {
        Map<String, Database> found = new LinkedHashMap<>();
        for (DatabaseSpec spec : specs) {
            if (spec.isGlob()) {
                for (Path file : globMatches(spec)) {
                    Optional<String> name = nameFromGlob(spec, file);
                    if (name.isEmpty()) {
                        LOG.warn("event=database.skipped path={} reason=\"its name is not a valid database name\"", file);
                    } else if (isSqlite(file)) {
                        put(found, new Database(name.get(), file));
                    }
                }
            } else {
                Path path = Path.of(spec.pattern());
                if (Files.isRegularFile(path)) {
                    put(found, new Database(spec.name().orElseGet(() -> stem(path)), path));
                }
            }
        }
        return List.copyOf(found.values());
    }

    /**
     * Where database {@code name} lives or would live: its {@code name=path} entry, a bare path named like it, or
     * the first glob of the form {@code dir/prefix*suffix} (the name takes the star's place).
     */
    public Optional<Path> pathFor(String name) {
        for (DatabaseSpec spec : specs) {
            if (spec.isGlob()) {
                Path glob = Path.of(spec.pattern());
                String last = glob.getFileName().toString();
                int star = singleStar(last);
                if (star >= 0 && glob.getParent() != null && !DatabaseSpec.isGlobText(glob.getParent().toString())) {
                    return Optional.of(glob.resolveSibling(last.substring(0, star) + name + last.substring(star + 1)));
                }
            } else {
                Path path = Path.of(spec.pattern());
                if (spec.name().orElseGet(() -> stem(path)).equals(name)) {
                    return Optional.of(path);
                }
            }
        }
        return Optional.empty();
    }

    /** Every name that is spelled out in the configuration (not found through a glob). */
    public List<String> namedDatabases() {
        return specs.stream().filter(s -> !s.isGlob())
                .map(s -> s.name().orElseGet(() -> stem(Path.of(s.pattern())))).distinct().toList();
    }

    /**
     * Every folder a configured database lives or would live in, whether its file exists or not: the folders of the
     * {@code name=path} entries and bare paths, and the folder of each glob whose folder part has no wildcard.
     */
    public List<Path> folders() {
        Set<Path> folders = new LinkedHashSet<>();
        for (DatabaseSpec spec : specs) {
            Path parent = Path.of(spec.pattern()).toAbsolutePath().getParent();
            if (parent != null && !(spec.isGlob() && DatabaseSpec.isGlobText(parent.toString()))) {
                folders.add(parent);
            }
        }
        return List.copyOf(folders);
    }

    public boolean hasGlobs() {
        return specs.stream().anyMatch(DatabaseSpec::isGlob);
    }

    private static void put(Map<String, Database> found, Database db) {
        Database earlier = found.putIfAbsent(db.name(), db);
        if (earlier != null && !earlier.path().equals(db.path())) {
            LOG.warn("event=database.skipped database={} path={} reason=\"name already used by {}\"", db.name(), db.path(),
                    earlier.path());
        }
    }

    private static List<Path> globMatches(DatabaseSpec spec) throws IOException {
        Path glob = Path.of(spec.pattern());
        Path dir = glob.getParent();
        if (dir == null || DatabaseSpec.isGlobText(dir.toString())) {
            throw new ConfigException(AgentConfigLoader.DATABASES + ": '" + spec.pattern()
                    + "' may only use wildcards in its file name, not in its folders");
        }
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        PathMatcher matcher = dir.getFileSystem().getPathMatcher("glob:" + glob.getFileName());
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            List<Path> matches = new ArrayList<>();
            for (Path entry : entries) {
                String file = entry.getFileName().toString();
                boolean sideFile = SIDE_FILES.stream().anyMatch(file::endsWith);
                if (!file.startsWith(".") && !sideFile && matcher.matches(entry.getFileName())
                        && Files.isRegularFile(entry)) {
                    matches.add(entry);
                }
            }
            matches.sort(null);
            return matches;
        }
    }

    private static Optional<String> nameFromGlob(DatabaseSpec spec, Path file) {
        String last = Path.of(spec.pattern()).getFileName().toString();
        String fileName = file.getFileName().toString();
        int star = singleStar(last);
        String name = stem(file);
        if (star >= 0) {
            String prefix = last.substring(0, star);
            String suffix = last.substring(star + 1);
            name = fileName.substring(prefix.length(), fileName.length() - suffix.length());
        }
        return Names.isValid(name) ? Optional.of(name) : Optional.empty();
    }

    /** Where the one {@code *} of a file-name glob stands, or -1 when the glob is anything more complex. */
    private static int singleStar(String glob) {
        int star = glob.indexOf('*');
        boolean single = star >= 0 && glob.indexOf('*', star + 1) < 0 && glob.chars().noneMatch(c -> "?[{".indexOf(c) >= 0);
        return single ? star : -1;
    }

    /** The file name without its last extension: {@code production.sqlite3} is {@code production}. */
    static String stem(Path path) {
        String f = path.getFileName().toString();
        int dot = f.lastIndexOf('.');
        return dot > 0 ? f.substring(0, dot) : f;
    }

    private static boolean isSqlite(Path file) throws IOException {
        byte[] head = new byte[MAGIC.length];
        try (InputStream in = Files.newInputStream(file)) {
            int n = in.readNBytes(head, 0, head.length);
            if (n == 0) {
                // an application may create its database file before writing the first page
                LOG.info("event=database.skipped path={} reason=\"empty file\"", file);
                return false;
            }
            if (n < head.length || !Arrays.equals(head, MAGIC)) {
                LOG.warn("event=database.skipped path={} reason=\"not a SQLite database\"", file);
                return false;
            }
            return true;
        }
    }
}
