package dev.cellar.agent;

import dev.cellar.agent.cli.AgentCommand;
import dev.cellar.agent.files.FileStoreDiskSpace;
import picocli.CommandLine;

/** Entry point of {@code cellar-agent.jar}: wires the real environment and disk into the command line. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        CommandLine cli = AgentCommand.commandLine(System.getenv(), new FileStoreDiskSpace());
        int status = cli.execute(args);
        ((AgentCommand) cli.getCommand()).close();
        System.exit(status);
    }
}
