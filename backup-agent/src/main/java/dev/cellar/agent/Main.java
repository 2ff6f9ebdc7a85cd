package dev.cellar.agent;

import dev.cellar.agent.cli.AgentCommand;
import dev.cellar.agent.files.FileStoreDiskSpace;

/** Entry point of {@code cellar-agent.jar}: wires the real environment and disk into the command line. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(AgentCommand.commandLine(System.getenv(), new FileStoreDiskSpace()).execute(args));
    }
}
