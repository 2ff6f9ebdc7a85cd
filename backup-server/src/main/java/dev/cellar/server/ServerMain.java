package dev.cellar.server;

import dev.cellar.core.config.ConfigException;
import dev.cellar.core.config.UnknownVariables;
import dev.cellar.server.auth.LocalSecrets;
import dev.cellar.server.config.ServerConfig;
import dev.cellar.server.jobs.JobStoreException;
import dev.cellar.server.storage.BlobStore;
import dev.cellar.server.storage.StorageException;
import dev.cellar.server.storage.local.LocalBlobStore;
import dev.cellar.server.storage.s3.S3BlobStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads the environment, wires the server and starts it. Nothing else. */
public final class ServerMain {
    private static final Logger log = LoggerFactory.getLogger(ServerMain.class);

    private ServerMain() {
    }

    public static void main(String[] args) {
        int status = ServerArgs.handle(java.util.List.of(args), System.out, System.err);
        if (status != ServerArgs.START) {
            System.exit(status);
        }
        try {
            ServerConfig config = ServerConfig.fromEnv(System.getenv());
            CellarServer server = start(config);
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "shutdown"));
        } catch (ConfigException | StorageException | JobStoreException e) {
            System.err.println("cellar server: " + e.getMessage());
            System.exit(2);
        } catch (IOException e) {
            System.err.println("cellar server: cannot use the data directory: " + e.getMessage());
            System.exit(2);
        } catch (UncheckedIOException e) { // a port that cannot be bound
            System.err.println("cellar server: " + e.getMessage());
            System.exit(2);
        }
    }

    /** Builds and starts a server for {@code config}; also what tests use. */
    public static CellarServer start(ServerConfig config) throws IOException {
        return start(config, Clock.systemUTC());
    }

    /** The same on another clock: tests that need snapshots taken days apart. */
    public static CellarServer start(ServerConfig config, Clock clock) throws IOException {
        UnknownVariables.warn(config.unknownVariables(), ServerConfig.KNOWN);
        String admin;
        byte[] secret;
        if (config.usesS3()) {
            admin = config.adminToken().orElseThrow();
            secret = config.tokenSecret().orElseThrow().getBytes(StandardCharsets.UTF_8);
        } else {
            admin = config.adminToken().orElse(null);
            if (admin == null) {
                LocalSecrets.Secret generated = LocalSecrets.readOrCreate(config.dataDir().resolve("admin-token"));
                admin = generated.value();
                if (generated.created()) {
                    // never the value: stdout ends up in platform logs and log collectors
                    System.out.println("Generated an admin token; read it from " + generated.file()
                            + " (for example: cat " + generated.file() + ")");
                }
            }
            String configured = config.tokenSecret().orElse(null);
            secret = (configured != null ? configured
                    : LocalSecrets.readOrCreate(config.dataDir().resolve("token-secret")).value())
                    .getBytes(StandardCharsets.UTF_8);
        }
        BlobStore store = openStore(config);
        CellarServer server;
        try {
            server = new CellarServer(config, store, admin, secret, clock);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        server.start(config.host(), config.port());
        String where = "http://" + (config.host().equals("0.0.0.0") ? "localhost" : config.host()) + ":" + server.port();
        log.info("event=server.started url={} storage={} maxSnapshotBytes={} maxConcurrentUploads={}", where,
                store.describe(), config.maxSnapshotBytes(), config.maxConcurrentUploads());
        System.out.println("Cellar server listening on " + where + " (storage: " + store.describe() + ")");
        System.out.println("Authenticate with: Authorization: Bearer <admin token>"
                + (config.adminToken().isPresent() ? " (BACKUP_ADMIN_TOKEN)"
                : " (the token in " + config.dataDir().resolve("admin-token") + ")"));
        return server;
    }

    private static BlobStore openStore(ServerConfig config) {
        if (config.s3().isPresent()) {
            S3BlobStore s3 = S3BlobStore.connect(config.s3().get());
            try {
                s3.checkBucket();
            } catch (StorageException e) {
                s3.close();
                throw e;
            }
            return s3;
        }
        return new LocalBlobStore(config.dataDir().resolve("snapshots"));
    }
}
