package dev.cellar.agent.cli;

import dev.cellar.agent.AgentVersion;
import picocli.CommandLine;

/** The version from the jar's manifest (set by the build), "dev" when run from classes. */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {"cellar-agent " + AgentVersion.current()};
    }
}
