package dev.cellar.agent;

/** The agent's version: the jar manifest's {@code Implementation-Version} (set by the build), "dev" from classes. */
public final class AgentVersion {
    private AgentVersion() {
    }

    public static String current() {
        String v = AgentVersion.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
