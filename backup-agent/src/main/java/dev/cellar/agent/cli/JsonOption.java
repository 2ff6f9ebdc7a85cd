package dev.cellar.agent.cli;

import dev.cellar.agent.json.JsonValues;
import java.io.IOException;
import java.io.PrintWriter;
import picocli.CommandLine.Option;

/**
 * {@code --json}: the command prints exactly one JSON document on stdout instead of its table, for scripts; logs
 * stay on stderr. A command that fails prints {@code {"error": ..., "message": ..., "exitCode": ...}} instead.
 */
final class JsonOption {
    static final String NAME = "--json";

    @Option(names = NAME, description = "print one JSON document on stdout (logs stay on stderr)")
    boolean json;

    /** Prints {@code document} (maps, lists, strings, numbers, booleans, nulls) as one JSON document. */
    static void print(PrintWriter out, Object document) {
        try {
            out.println(JsonValues.write(document, true));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the JSON output", e);
        }
        out.flush();
    }

    /** The failure document: the exit status as a word and a number, and the message. */
    static void printFailure(PrintWriter out, int exitCode, String message) {
        print(out, JsonDocs.object("error", ExitCodes.name(exitCode), "message", message, "exitCode", exitCode));
    }
}
