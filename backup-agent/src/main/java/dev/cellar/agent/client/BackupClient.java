package dev.cellar.agent.client;

import dev.cellar.agent.progress.CountingPublisher;
import dev.cellar.agent.progress.Progress;
import dev.cellar.agent.log.Kv;
import dev.cellar.core.Names;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's side of HTTP API v1, for one tenant. Each method sends one request; callers wrap them in a
 * {@link Retrier}. Errors come back as {@link ApiException}; the token never appears in one.
 */
public final class BackupClient {
    private static final Logger LOG = LoggerFactory.getLogger(BackupClient.class);
    /** Slowest upload rate we wait for before calling a request stuck: 256 KiB/s. */
    private static final long SLOWEST_BYTES_PER_SECOND = 256 * 1024;
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-\\d+/(\\d+|\\*)");
    /** The JDK HTTP client's buffer size property, read once, when its first client is built. */
    private static final String BUFFER_SIZE = "jdk.httpclient.bufsize";

    static {
        // The client moves a body in buffers of this size (16 KiB by default), each one handed between its selector
        // thread and ours. Measured on a 1 GiB restore (403 MiB downloaded): 2.8 s to download and decompress with
        // 16 KiB, 2.3 s with 128 KiB, 2.1 s with 256 KiB for 9 MB more memory. A value set on the command line wins.
        if (System.getProperty(BUFFER_SIZE) == null) {
            System.setProperty(BUFFER_SIZE, Integer.toString(128 * 1024));
        }
    }

    private final HttpClient http;
    private final URI tenantUri;
    private final URI api;
    private final String tenant;
    private final String authorization;
    private final Duration timeout;

    public BackupClient(URI serverUrl, String tenant, String token, Duration timeout) {
        HttpClient.Builder builder = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER); // a redirect must not carry the token elsewhere
        if ("http".equalsIgnoreCase(serverUrl.getScheme())) {
            // a plain-HTTP server (a private network, say) never needs TLS, since redirects are never followed:
            // skip the default TLS context, whose trust store and providers cost about 400 classes and a quarter
            // of a second before the first request
            try {
                builder.sslContext(SSLContext.getInstance("TLS")).sslParameters(new SSLParameters());
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("this Java runtime has no TLS", e);
            }
        }
        this.http = builder.build();
        this.tenantUri = URI.create(serverUrl + "/api/v1/tenants/" + tenant);
        this.api = URI.create(tenantUri + "/");
        this.tenant = tenant;
        this.authorization = "Bearer " + token;
        this.timeout = timeout;
    }

    /** Stops the HTTP client's threads; this client makes no request afterwards. */
    public void close() {
        HttpClientShutdown.stop(http);
    }

    public String tenant() {
        return tenant;
    }

    /** Makes one upload body; each attempt asks for a fresh one. */
    @FunctionalInterface
    public interface BodySource {
        InputStream open() throws IOException;
    }

    /**
     * Uploads one compressed snapshot as it is produced, chunked, declaring the image's digest up front
     * ({@code X-Snapshot-Sha256}) so the server can stream it straight to its version's key.
     *
     * @param imageBytes the image's size: the compressed body is rarely larger, so it bounds the wait for the answer
     */
    public SnapshotInfo upload(String database, BodySource body, long imageBytes, String imageSha256,
                               Optional<String> machineId) throws IOException, ApiException {
        List<InputStream> opened = new ArrayList<>();
        try (Progress progress = Progress.start("upload " + database, -1)) {
            HttpRequest.Builder request = request("databases/" + database + "/snapshots")
                    .timeout(timeout.plusSeconds(imageBytes / SLOWEST_BYTES_PER_SECOND))
                    .header("Content-Type", "application/zstd")
                    .header("X-Snapshot-Sha256", imageSha256)
                    .POST(new CountingPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> {
                        try {
                            InputStream in = body.open();
                            synchronized (opened) {
                                opened.add(in);
                            }
                            return in;
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }), progress));
            machineId.ifPresent(id -> request.header("X-Machine-Id", id));
            return SnapshotInfo.fromJson(Json.parse(sendForString(request.build())));
        } finally {
            // a server that answers before reading the whole body leaves the producer waiting: stop it
            synchronized (opened) {
                for (InputStream in : opened) {
                    in.close();
                }
            }
        }
    }

    public SnapshotPage list(String database, int limit, Optional<String> before) throws IOException, ApiException {
        String query = "?limit=" + limit + before.map(b -> "&before=" + b).orElse("");
        Map<String, Object> json = Json.parse(sendForString(request("databases/" + database + "/snapshots" + query)
                .GET().build()));
        List<SnapshotInfo> snapshots = Json.list(json, "snapshots").stream().map(SnapshotInfo::fromJson).toList();
        return new SnapshotPage(snapshots, Json.optionalString(json, "next"));
    }

    /**
     * Names of the databases the server holds snapshots of for this tenant ({@code GET /api/v1/tenants/{t}});
     * empty when the server does not know the tenant yet.
     */
    public List<String> databases() throws IOException, ApiException {
        Map<String, Object> json;
        try {
            json = Json.parse(sendForString(request(tenantUri).GET().build()));
        } catch (ApiException e) {
            if (e.status() == 404) {
                return List.of();
            }
            throw e;
        }
        List<String> names = new ArrayList<>();
        if (json.get("databases") instanceof List<?> list) {
            for (Object item : list) {
                Object name = item instanceof Map<?, ?> m
                        ? (m.containsKey("database") ? m.get("database") : m.get("name")) : item;
                if (name == null) {
                    continue;
                }
                // a glob entry builds a file path from the name: anything but a plain name is never used
                if (Names.isValid(name.toString())) {
                    names.add(name.toString());
                } else {
                    LOG.warn("event=server.invalid_name field=database value={} consequence=\"ignored\"",
                            Kv.quote(name));
                }
            }
        }
        return names;
    }

    /**
     * Tells the server this machine is alive ({@code POST /api/v1/tenants/{t}/heartbeats}).
     *
     * @param skipped  versions this process's boot restores skipped (sent only when there are some)
     * @param stopping the agent's final heartbeat at shutdown: the machine stops on purpose
     * @return the pending restore requests this machine may apply (for any machine of the tenant or for this one)
     */
    public List<RestoreRequest> heartbeat(String machineId, Optional<String> region, String agentVersion,
                                          List<HeartbeatDatabase> databases, List<SkippedVersion> skipped,
                                          boolean stopping)
            throws IOException, ApiException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("machineId", machineId);
        region.ifPresent(r -> body.put("region", r));
        body.put("agentVersion", agentVersion);
        body.put("databases", databases.stream().map(HeartbeatDatabase::toJson).toList());
        if (!skipped.isEmpty()) { // only then: a server older than this field refuses it
            body.put("skippedVersions", skipped.stream().map(v -> Map.of("database", v.database(),
                    "version", v.version(), "reason", v.reason())).toList());
        }
        if (stopping) {
            body.put("stoppedOnPurpose", true);
        }
        Map<String, Object> json = postJson("heartbeats", body);
        List<RestoreRequest> requests = new ArrayList<>();
        for (Map<String, Object> item : Json.list(json, "restores")) {
            try {
                requests.add(RestoreRequest.fromJson(item));
            } catch (IllegalStateException e) {
                // its database becomes a file path and its id and version request paths: never applied
                LOG.warn("event=server.invalid_name field=restore_request error={} consequence=\"ignored\"",
                        Kv.quote(e.getMessage()));
            }
        }
        return requests;
    }

    /** Claims a restore request for this machine; a 409 {@link ApiException} says another machine has it. */
    public RestoreRequest claim(String requestId, String machineId) throws IOException, ApiException {
        return RestoreRequest.fromJson(postJson("restores/" + requestId + "/claim", Map.of("machineId", machineId)));
    }

    /** Reports how a restore request ended: {@link RestoreRequest#COMPLETED} or {@link RestoreRequest#FAILED}. */
    public RestoreRequest reportResult(String requestId, String state, String message, String machineId)
            throws IOException, ApiException {
        return RestoreRequest.fromJson(postJson("restores/" + requestId + "/result",
                Map.of("state", state, "message", message, "machineId", machineId)));
    }

    /**
     * Opens a download of the stored snapshot bytes, from {@code offset} on (a {@code Range} request when above 0).
     * The caller closes the body.
     */
    public SnapshotResponse download(String database, SnapshotSelector selector, long offset)
            throws IOException, ApiException {
        String path = "databases/" + database + "/snapshots/" + selector.version().orElse("latest")
                + selector.at().map(at -> "?at=" + URLEncoder.encode(at.toString(), StandardCharsets.UTF_8)).orElse("");
        HttpRequest.Builder request = request(path).header("Accept", "application/zstd").GET();
        if (offset > 0) {
            request.header("Range", "bytes=" + offset + "-");
        }
        HttpResponse<InputStream> response = send(request.build(), StallProofBody.handler(timeout));
        InputStream body = response.body();
        try {
            if (response.statusCode() != 200 && response.statusCode() != 206) {
                throw error(response.statusCode(), new String(body.readNBytes(64 * 1024), StandardCharsets.UTF_8),
                        response);
            }
            String version = requiredHeader(response, "X-Snapshot-Version");
            String sha = requiredHeader(response, "X-Snapshot-Sha256");
            long start = 0;
            if (response.statusCode() == 206) {
                Matcher m = CONTENT_RANGE.matcher(requiredHeader(response, "Content-Range"));
                if (!m.matches()) {
                    throw new IOException("the server sent an unreadable Content-Range");
                }
                start = Long.parseLong(m.group(1));
            }
            OptionalLong length = response.headers().firstValueAsLong("Content-Length");
            return new SnapshotResponse(version, sha, start, length, body);
        } catch (IOException | ApiException | RuntimeException e) {
            body.close();
            throw e;
        }
    }

    private Map<String, Object> postJson(String path, Map<String, ?> body) throws IOException, ApiException {
        return Json.parse(sendForString(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(body), StandardCharsets.UTF_8)).build()));
    }

    private HttpRequest.Builder request(String path) {
        return request(api.resolve(path));
    }

    private HttpRequest.Builder request(URI uri) {
        return HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Authorization", authorization)
                .header("User-Agent", "cellar-agent");
    }

    /** A JSON answer, read through a {@link StallProofBody} like every body: a silent server cannot hold it. */
    private String sendForString(HttpRequest request) throws IOException, ApiException {
        HttpResponse<InputStream> response = send(request, StallProofBody.handler(timeout));
        String body;
        try (InputStream in = response.body()) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (response.statusCode() / 100 != 2) {
            throw error(response.statusCode(), body, response);
        }
        return body;
    }

    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) throws IOException {
        try {
            return http.send(request, handler);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("request interrupted");
        }
    }

    private static String requiredHeader(HttpResponse<?> response, String name) throws IOException {
        return response.headers().firstValue(name)
                .orElseThrow(() -> new IOException("the server's answer lacks the " + name + " header"));
    }

    private static ApiException error(int status, String body, HttpResponse<?> response) {
        String code = "http_" + status;
        String message = "";
        try {
            Map<String, Object> json = Json.parse(body);
            code = Json.optionalString(json, "error").orElse(code);
            message = Json.optionalString(json, "message").orElse("");
        } catch (IOException | RuntimeException e) {
            // not an API error body (a proxy's page, say): keep the status alone
        }
        return new ApiException(status, code, message, retryAfter(response));
    }

    /** {@code Retry-After} as seconds or as an HTTP date. */
    static Optional<Duration> retryAfter(HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After").flatMap(BackupClient::parseRetryAfter);
    }

    static Optional<Duration> parseRetryAfter(String value) {
        String v = value.trim();
        try {
            return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(v))));
        } catch (NumberFormatException e) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration d = Duration.between(ZonedDateTime.now(at.getZone()), at);
                return Optional.of(d.isNegative() ? Duration.ZERO : d);
            } catch (DateTimeParseException e2) {
                return Optional.empty();
            }
        }
    }
}
