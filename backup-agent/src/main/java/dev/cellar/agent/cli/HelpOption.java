package dev.cellar.agent.cli;

import picocli.CommandLine.Option;

/** {@code -h, --help} on every subcommand (the top-level command has it with {@code --version}). */
final class HelpOption {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;
}
