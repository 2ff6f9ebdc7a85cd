package dev.cellar.server;

import dev.cellar.server.config.ServerConfig;
import java.io.PrintStream;
import java.util.List;
import java.util.TreeSet;

/**
 * The server's few command-line arguments: {@code --help} and {@code --version} print and exit instead of starting
 * a server (everything else is configured from the environment). Anything else is refused with exit status 2.
 */
final class ServerArgs {
    static final int START = -1;
    static final int USAGE = 2;

    private ServerArgs() {
    }

    /** What {@code args} ask for: {@link #START}, or the exit status after printing what was asked. */
    static int handle(List<String> args, PrintStream out, PrintStream err) {
        if (args.isEmpty()) {
            return START;
        }
        if (args.size() == 1 && List.of("--help", "-h").contains(args.get(0))) {
            out.print(help());
            return 0;
        }
        if (args.size() == 1 && List.of("--version", "-V").contains(args.get(0))) {
            out.println("cellar-server " + version());
            return 0;
        }
        err.println("cellar server: unknown arguments " + args + "; the server takes its configuration from"
                + " environment variables (see --help)");
        return USAGE;
    }

    /** The jar manifest's {@code Implementation-Version} (set by the build), "dev" when run from classes. */
    static String version() {
        String v = ServerArgs.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    static String help() {
        StringBuilder b = new StringBuilder();
        b.append("Usage: java -jar cellar-server.jar [--help | --version]\n\n")
                .append("Cellar backup server: versioned, verified snapshots of every tenant's SQLite databases in an\n")
                .append("S3-compatible bucket (BUCKET_NAME) or, without one, under BACKUP_DATA_DIR (default ./data).\n")
                .append("Without arguments it starts and listens on PORT (default 8080); GET /up answers once it runs.\n\n")
                .append("Options:\n")
                .append("  -h, --help      print this help and exit\n")
                .append("  -V, --version   print the version and exit\n\n")
                .append("Configuration comes from environment variables, validated at start (a bad value stops the\n")
                .append("server with a message naming the variable; unknown BACKUP_* names are reported):\n")
                .append("  PORT, BUCKET_NAME, AWS_ENDPOINT_URL_S3, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,\n")
                .append("  LOG_LEVEL, and\n");
        for (String name : new TreeSet<>(ServerConfig.KNOWN)) {
            b.append("  ").append(name).append('\n');
        }
        b.append("\nEvery variable, its default and meaning: README.md, \"Server configuration\".\n")
                .append("The HTTP API: docs/api.md, and GET /api/v1/openapi.json on a running server.\n\n")
                .append("Exit status: 0 after --help/--version or a clean stop, 2 for a configuration or usage error.\n");
        return b.toString();
    }
}
