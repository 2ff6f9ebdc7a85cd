package dev.cellar.agent.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code cellar-agent completion}: the bash completion script for every command and option, written by picocli's
 * {@link AutoComplete} from the same model that parses the command line (zsh loads it with bashcompinit).
 */
@Command(name = "completion", description = {"Prints a bash completion script for cellar-agent (zsh: run"
        + " `autoload -U +X bashcompinit && bashcompinit` first).",
    "  source <(cellar-agent completion)      # this shell",
    "  cellar-agent completion > /etc/bash_completion.d/cellar-agent"})
final class CompletionCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    HelpOption help;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        out.print(AutoComplete.bash("cellar-agent", spec.root().commandLine()));
        out.flush();
        return ExitCodes.OK;
    }
}
