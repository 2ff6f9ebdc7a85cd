package dev.cellar.agent.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellar.agent.config.AgentConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The app runs with the agent's environment minus its secret: a compromised app cannot upload a "latest". */
class ChildEnvironmentTest extends EndToEnd {
    @Test
    void theAppDoesNotInheritTheAgentsToken() throws Exception {
        Machine m = machine("mE", "env1");
        m.env().put(AgentConfigLoader.ON_SHUTDOWN, "false");
        Path seen = root.resolve("app-env.txt");
        AgentProcess agent = children.track(AgentProcess.start("mE", m.env(),
                List.of("sh", "-c", "env > " + seen), root.resolve("agent-env.log")));

        assertEquals(0, agent.waitFor(), agent::log);
        String env = Files.readString(seen);
        assertFalse(env.contains(AgentConfigLoader.TOKEN + "="), env);
        assertFalse(env.contains(m.env().get(AgentConfigLoader.TOKEN)), env);
        assertTrue(env.contains(AgentConfigLoader.SERVER_URL + "="), env); // the rest is passed on
    }
}
