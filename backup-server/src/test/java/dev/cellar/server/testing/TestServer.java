package dev.cellar.server.testing;

import dev.cellar.server.CellarServer;
import dev.cellar.server.ServerMain;
import dev.cellar.server.config.ServerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real Cellar server on 127.0.0.1 and a random port, for tests of the server and of its clients. By default it
 * stores snapshots in an in-process S3Proxy bucket of its own; {@link #startLocal(Path, Map)} uses local files.
 *
 * <pre>{@code
 * try (TestServer server = TestServer.start()) {
 *     String token = server.mintToken("acme");
 *     // talk to server.baseUri() with "Authorization: Bearer " + token
 * }
 * }</pre>
 */
public final class TestServer implements AutoCloseable {
    private static final Pattern TOKEN = Pattern.compile("\"token\"\\s*:\\s*\"([^\"]+)\"");
    private final CellarServer server;
    private final S3ProxyFixture s3;
    private final String adminToken;
    private final Map<String, String> env;

    private TestServer(CellarServer server, S3ProxyFixture s3, String adminToken, Map<String, String> env) {
        this.server = server;
        this.s3 = s3;
        this.adminToken = adminToken;
        this.env = env;
    }

    public static TestServer start() {
        return start(Map.of());
    }

    /** A server over a fresh S3Proxy bucket; {@code extraEnv} adds or overrides server variables. */
    public static TestServer start(Map<String, String> extraEnv) {
        S3ProxyFixture s3 = S3ProxyFixture.start();
        try {
            return start(s3Env(s3, extraEnv), s3);
        } catch (RuntimeException e) {
            s3.close();
            throw e;
        }
    }

    /**
     * A server over an S3 bucket that someone else owns (it is not closed with the server); use it to run several
     * instances over the same bucket.
     */
    public static TestServer startOn(S3ProxyFixture s3, Map<String, String> extraEnv) {
        return start(s3Env(s3, extraEnv), null);
    }

    /** The same on {@code clock}, for tests that need snapshots taken hours or days apart. */
    public static TestServer startOn(S3ProxyFixture s3, Map<String, String> extraEnv, Clock clock) {
        return start(s3Env(s3, extraEnv), null, clock);
    }

    /** A server storing snapshots as local files under {@code dataDir}. */
    public static TestServer startLocal(Path dataDir, Map<String, String> extraEnv) {
        Map<String, String> env = baseEnv();
        env.put("BACKUP_DATA_DIR", dataDir.toString());
        env.putAll(extraEnv);
        return start(env, null);
    }

    /** The environment every test server starts from: loopback, random port, fresh secrets. */
    public static Map<String, String> baseEnv() {
        Map<String, String> env = new HashMap<>();
        env.put("BACKUP_HOST", "127.0.0.1");
        env.put("PORT", "0");
        env.put("BACKUP_ADMIN_TOKEN", "admin-" + UUID.randomUUID());
        env.put("BACKUP_TOKEN_SECRET", "secret-" + UUID.randomUUID() + UUID.randomUUID());
        env.put("BACKUP_TOKEN_CACHE_TTL", "0");
        return env;
    }

    /** The environment of a server over {@code s3}: {@link #baseEnv()}, the bucket's settings and {@code extraEnv}; also for tests that start the server as a process of its own. */
    public static Map<String, String> s3Env(S3ProxyFixture s3, Map<String, String> extraEnv) {
        Map<String, String> env = baseEnv();
        env.put("BUCKET_NAME", s3.bucket());
        env.put("AWS_ENDPOINT_URL_S3", s3.endpoint().toString());
        env.put("AWS_REGION", s3.region());
        env.put("AWS_ACCESS_KEY_ID", s3.accessKey());
        env.put("AWS_SECRET_ACCESS_KEY", s3.secretKey());
        env.put("BACKUP_S3_PATH_STYLE", "true");
        try {
            env.put("BACKUP_DATA_DIR", Files.createTempDirectory("cellar-server").toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        env.putAll(extraEnv);
        return env;
    }

    private static TestServer start(Map<String, String> env, S3ProxyFixture owned) {
        return start(env, owned, Clock.systemUTC());
    }

    private static TestServer start(Map<String, String> env, S3ProxyFixture owned, Clock clock) {
        try {
            CellarServer server = ServerMain.start(ServerConfig.fromEnv(env), clock);
            return new TestServer(server, owned, env.get("BACKUP_ADMIN_TOKEN"), Map.copyOf(env));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public URI baseUri() {
        return URI.create("http://127.0.0.1:" + server.port());
    }

    public int port() {
        return server.port();
    }

    /** The port of the tokenless metrics listener ({@code BACKUP_METRICS_PORT}), when it has one. */
    public java.util.Optional<Integer> metricsPort() {
        return server.metricsPort();
    }

    /** The server's route table, {@code "METHOD /path/{param}"} per route. */
    public java.util.List<String> routes() {
        return server.routes();
    }

    public String adminToken() {
        return adminToken;
    }

    /** The environment the server was started with (secrets included: tests only). */
    public Map<String, String> env() {
        return env;
    }

    /** Mints a tenant token through the API, as an operator would. */
    public String mintToken(String tenant) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            baseUri().resolve("/api/v1/tenants/" + tenant + "/tokens"))
                    .header("Authorization", "Bearer " + adminToken)
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            Matcher m = TOKEN.matcher(r.body());
            if (r.statusCode() != 201 || !m.find()) {
                throw new IllegalStateException("minting a token failed: " + r.statusCode() + " " + r.body());
            }
            return m.group(1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.close();
        if (s3 != null) {
            s3.close();
        }
    }
}
