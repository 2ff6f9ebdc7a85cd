package dev.cellar.agent.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellar.agent.testing.Servers;
import dev.cellar.server.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** scripts/demo.sh, the README's first five minutes, run as written against a real server and the real agent. */
class DemoScriptTest {
    @TempDir
    Path dir;

    @Test
    void theDemoBacksUpChangesListsAndRestoresTheFirstVersion() throws Exception {
        try (TestServer server = Servers.start()) {
            String agent = String.join(" ", Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx192m", "-Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener",
                    "-cp", System.getProperty("java.class.path"), "dev.cellar.agent.Main");
            Path out = dir.resolve("demo.out");
            ProcessBuilder pb = new ProcessBuilder(List.of("bash", "scripts/demo.sh")).directory(Path.of("..").toFile())
                    .redirectErrorStream(true).redirectOutput(out.toFile());
            pb.environment().put("CELLAR_URL", server.baseUri().toString());
            pb.environment().put("CELLAR_ADMIN_TOKEN", server.adminToken());
            pb.environment().put("CELLAR_AGENT", agent);
            Process p = pb.start();
            assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the demo did not finish");
            String text = Files.readString(out, StandardCharsets.UTF_8);

            assertEquals(0, p.exitValue(), text);
            assertTrue(text.contains("==> the restored file is exactly the first backup of app-v1"), text);
            assertTrue(text.contains("uploaded"), text);
            assertFalse(text.contains(server.adminToken()), "the demo never prints a token");
        }
    }
}
