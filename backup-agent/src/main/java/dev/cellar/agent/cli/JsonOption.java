package dev.cellar.agent.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import picocli.CommandLine.Option;

/**
 * {@code --json}: the command prints exactly one JSON document on stdout instead of its table, for scripts; logs
 * stay on stderr. A command that fails prints {@code {"error": ..., "message": ..., "exitCode": ...}} instead.
 */
final class JsonOption {
    static final String NAME = "--json";
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Option(names = NAME, description = "print one JSON document on stdout (logs stay on stderr)")
    boolean json;

    /** Prints {@code document} (maps, lists, strings, numbers, booleans, nulls) as one JSON document. */
    static void print(PrintWriter out, Object document) {
        try {
            out.println(MAPPER.writeValueAsString(document));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the JSON output", e);
        }
        out.flush();
    }

    /** The failure document: the exit status as a word and a number, and the message. */
    static void printFailure(PrintWriter out, int exitCode, String message) {
        print(out, JsonDocs.object("error", ExitCodes.name(exitCode), "message", message, "exitCode", exitCode));
    }
}
