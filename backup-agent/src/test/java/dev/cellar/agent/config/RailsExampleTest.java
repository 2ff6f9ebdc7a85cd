package dev.cellar.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellar.server.testing.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** examples/rails/ stays true: the agent's default glob covers every database its database.yml names. */
class RailsExampleTest {
    private static final Path EXAMPLE = Path.of("..", "examples", "rails");

    @TempDir
    Path volume;

    @Test
    void theDefaultGlobCoversPrimaryCacheQueueAndCableAndRestoresEachToItsPath() throws Exception {
        List<Path> paths = productionDatabases();
        assertEquals(4, paths.size(), "primary, cache, queue and cable: " + paths);
        DatabaseResolver byDefault = new DatabaseResolver(DatabaseSpec.parseList(AgentConfigLoader.DATABASES,
                AgentConfigLoader.DEFAULT_DATABASES));
        for (Path path : paths) {
            // a missing file is restored to exactly where Rails will open it
            assertEquals(Optional.of(path), byDefault.pathFor(DatabaseResolver.stem(path)), path.toString());
            TestDatabases.create(volume.resolve(path.getFileName()), 1, 1);
        }
        // the same glob over a volume holding them finds all four, by the names the server lists
        DatabaseResolver onVolume = new DatabaseResolver(DatabaseSpec.parseList(AgentConfigLoader.DATABASES,
                volume.resolve(Path.of(AgentConfigLoader.DEFAULT_DATABASES).getFileName()).toString()));
        assertEquals(List.of("production", "production_cable", "production_cache", "production_queue"),
                onVolume.present().stream().map(Database::name).sorted().toList());
    }

    @Test
    void theDockerfileRunsTheAgentOutermostWithRailsEntrypointAsItsApp() throws Exception {
        String dockerfile = Files.readString(EXAMPLE.resolve("Dockerfile.cellar"));
        Matcher entrypoint = Pattern.compile("(?m)^ENTRYPOINT (.*)$").matcher(dockerfile);
        assertTrue(entrypoint.find(), dockerfile);
        assertTrue(entrypoint.group(1).matches(".*\"-jar\", \"/opt/cellar/cellar-agent.jar\", \"run\", \"--\","
                + " \"/rails/bin/docker-entrypoint\"\\]"), entrypoint.group(1));
        assertTrue(dockerfile.contains("CMD [\"./bin/thrust\", \"./bin/rails\", \"server\"]"), dockerfile);
    }

    private static List<Path> productionDatabases() throws Exception {
        String yml = Files.readString(EXAMPLE.resolve("config/database.yml"));
        String production = yml.substring(yml.indexOf("\nproduction:"));
        Matcher m = Pattern.compile("database: (\\S+)").matcher(production);
        List<Path> paths = new java.util.ArrayList<>();
        while (m.find()) {
            paths.add(Path.of(m.group(1)));
        }
        return paths;
    }
}
