package dev.cellar.agent.testing;

import dev.cellar.agent.Agent;
import dev.cellar.agent.config.AgentConfigLoader;
import dev.cellar.agent.files.DiskSpace;
import dev.cellar.agent.files.FileStoreDiskSpace;
import dev.cellar.agent.snapshot.Snapshotter;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Agent environments for tests: one tenant, databases under one folder, fast retries. */
public final class AgentFixture {
    private AgentFixture() {
    }

    /** The environment of an agent for {@code tenant} on {@code server}, backing up {@code dataDir}/*.sqlite3. */
    public static Map<String, String> env(URI server, String tenant, String token, Path dataDir) {
        Map<String, String> env = new HashMap<>();
        env.put(AgentConfigLoader.SERVER_URL, server.toString());
        env.put(AgentConfigLoader.TENANT, tenant);
        env.put(AgentConfigLoader.TOKEN, token);
        env.put(AgentConfigLoader.MACHINE_ID, "machine-1");
        env.put(AgentConfigLoader.DATABASES, dataDir.resolve("*.sqlite3").toString());
        env.put(AgentConfigLoader.RETRY_ATTEMPTS, "4");
        env.put(AgentConfigLoader.RETRY_BASE_DELAY, "10ms");
        env.put(AgentConfigLoader.RETRY_MAX_DELAY, "50ms");
        env.put(AgentConfigLoader.ZSTD_WORKERS, "1");
        return env;
    }

    public static Agent agent(Map<String, String> env) {
        return agent(env, new FileStoreDiskSpace());
    }

    public static Agent agent(Map<String, String> env, DiskSpace disk) {
        return new Agent(new AgentConfigLoader(env).load(), disk);
    }

    /** An agent whose snapshots copy the live database through {@code vacuum}, which a test can watch or slow down. */
    public static Agent agent(Map<String, String> env, Snapshotter.Vacuum vacuum) {
        return new Agent(new AgentConfigLoader(env).load(), new FileStoreDiskSpace(), vacuum);
    }
}
