package dev.cellar.agent.config;

import dev.cellar.core.Names;
import dev.cellar.core.config.ConfigException;
import dev.cellar.core.config.EnvReader;
import dev.cellar.core.config.UnknownVariables;
import dev.cellar.core.Zstd;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.quartz.CronExpression;

/**
 * Reads {@link AgentConfig} from environment variables through the shared {@link EnvReader}, so that durations, sizes
 * and booleans read as on the server and every wrong variable is named in one message. Unknown {@code BACKUP_*}
 * names are collected so that a typo is reported instead of silently ignored.
 */
public final class AgentConfigLoader {
    public static final String SERVER_URL = "BACKUP_SERVER_URL";
    public static final String TENANT = "BACKUP_TENANT";
    public static final String TOKEN = "BACKUP_TOKEN";
    public static final String MACHINE_ID = "BACKUP_MACHINE_ID";
    public static final String DATABASES = "BACKUP_DATABASES";
    public static final String SCHEDULE = "BACKUP_SCHEDULE";
    public static final String ON_SHUTDOWN = "BACKUP_ON_SHUTDOWN";
    public static final String SHUTDOWN_TIMEOUT = "BACKUP_SHUTDOWN_TIMEOUT";
    public static final String TEMP_DIR = "BACKUP_TEMP_DIR";
    public static final String STATE_DIR = "BACKUP_STATE_DIR";
    public static final String ZSTD_LEVEL = "BACKUP_ZSTD_LEVEL";
    public static final String ZSTD_WORKERS = "BACKUP_ZSTD_WORKERS";
    public static final String CONCURRENCY = "BACKUP_CONCURRENCY";
    public static final String INTEGRITY_CHECK = "BACKUP_INTEGRITY_CHECK";
    public static final String MIN_FREE = "BACKUP_MIN_FREE";
    public static final String RETRY_ATTEMPTS = "BACKUP_RETRY_ATTEMPTS";
    public static final String RETRY_BASE_DELAY = "BACKUP_RETRY_BASE_DELAY";
    public static final String RETRY_MAX_DELAY = "BACKUP_RETRY_MAX_DELAY";
    public static final String REQUEST_TIMEOUT = "BACKUP_REQUEST_TIMEOUT";
    public static final String HEARTBEAT_INTERVAL = "BACKUP_HEARTBEAT_INTERVAL";
    public static final String ALLOW_EMPTY_START = "BACKUP_ALLOW_EMPTY_START";
    public static final String METRICS_PORT = "BACKUP_METRICS_PORT";
    /** Read by log/LogSetup, not here; listed so that it is not reported as unknown. */
    public static final String LOG_LEVEL = "BACKUP_LOG_LEVEL";
    /** Read by log/LogSetup ({@code text} or {@code json}); validated here, where a bad value stops the agent. */
    public static final String LOG_FORMAT = "BACKUP_LOG_FORMAT";
    static final String FLY_MACHINE_ID = "FLY_MACHINE_ID";
    /** Set by Fly on every machine; sent with heartbeats. */
    static final String FLY_REGION = "FLY_REGION";

    public static final Set<String> KNOWN = Set.of(SERVER_URL, TENANT, TOKEN, MACHINE_ID, DATABASES, SCHEDULE,
            ON_SHUTDOWN, SHUTDOWN_TIMEOUT, TEMP_DIR, STATE_DIR, ZSTD_LEVEL, ZSTD_WORKERS, CONCURRENCY, INTEGRITY_CHECK,
            MIN_FREE, RETRY_ATTEMPTS, RETRY_BASE_DELAY, RETRY_MAX_DELAY, REQUEST_TIMEOUT, HEARTBEAT_INTERVAL, ALLOW_EMPTY_START,
            LOG_LEVEL, METRICS_PORT, LOG_FORMAT);

    public static final String DEFAULT_DATABASES = "/data/*.sqlite3";
    /** Two databases at once: a Rails app's small cache and queue databases need not wait behind the big one. */
    static final int DEFAULT_CONCURRENCY = 2;
    static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(60);
    static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofMinutes(1);
    /** zstd levels above 19 need windows larger than {@link Zstd#MAX_WINDOW_LOG} allows on restore. */
    static final int MAX_ZSTD_LEVEL = 19;

    private final Map<String, String> env;

    public AgentConfigLoader(Map<String, String> env) {
        this.env = env;
    }

    /**
     * @throws ConfigException naming every variable that is missing or invalid
     */
    public AgentConfig load() {
        EnvReader r = new EnvReader(env);
        String logFormat = r.string(LOG_FORMAT, "text");
        if (!logFormat.equals("text") && !logFormat.equals("json")) {
            r.problem(LOG_FORMAT, "must be text or json, got '" + logFormat + "'");
        }
        URI server = serverUrl(r);
        Optional<String> tenant = name(r, TENANT, r.string(TENANT).or(() -> r.string(FLY_MACHINE_ID)), "tenant");
        if (r.string(TENANT).isEmpty() && r.string(FLY_MACHINE_ID).isEmpty()) {
            r.problem(TENANT, "is not set (nor " + FLY_MACHINE_ID
                    + ", its default): set it to the tenant this machine belongs to");
        }
        Optional<String> token = r.string(TOKEN);
        if (token.isEmpty()) {
            r.problem(TOKEN, "is not set: mint one with POST /api/v1/tenants/" + tenant.orElse("<tenant>")
                    + "/tokens and set it as a secret");
        }
        Optional<String> machineId = name(r, MACHINE_ID, r.string(MACHINE_ID).or(() -> r.string(FLY_MACHINE_ID)),
                "machine");
        List<DatabaseSpec> databases = List.of();
        try {
            databases = DatabaseSpec.parseList(DATABASES, r.string(DATABASES, DEFAULT_DATABASES));
        } catch (ConfigException e) {
            r.problems(e);
        }
        String schedule = r.string(SCHEDULE, defaultSchedule(tenant.orElse("")));
        if (!CronExpression.isValidExpression(schedule)) {
            r.problem(SCHEDULE, "is not a valid Quartz cron expression (seconds minutes hours"
                    + " day-of-month month day-of-week, e.g. '0 15 * * * ?'): '" + schedule + "'");
        }
        RetryPolicy retry = new RetryPolicy(
                r.integer(RETRY_ATTEMPTS, 8, 1, 100),
                r.duration(RETRY_BASE_DELAY, Duration.ofSeconds(1)),
                r.duration(RETRY_MAX_DELAY, Duration.ofMinutes(1)));
        boolean onShutdown = r.bool(ON_SHUTDOWN, true);
        Duration shutdownTimeout = r.duration(SHUTDOWN_TIMEOUT, DEFAULT_SHUTDOWN_TIMEOUT);
        Optional<Path> tempDir = absolute(r, TEMP_DIR);
        Optional<Path> stateDir = absolute(r, STATE_DIR);
        int zstdLevel = r.integer(ZSTD_LEVEL, 3, 1, MAX_ZSTD_LEVEL);
        int zstdWorkers = r.integer(ZSTD_WORKERS, Zstd.defaultWorkers(), 0, 256);
        int concurrency = r.integer(CONCURRENCY, DEFAULT_CONCURRENCY, 1, 16);
        boolean fullCheck = integrityCheck(r);
        long minFree = r.bytes(MIN_FREE, 64L << 20, 0);
        Duration requestTimeout = r.duration(REQUEST_TIMEOUT, Duration.ofSeconds(30));
        Duration heartbeat = r.positiveDuration(HEARTBEAT_INTERVAL, DEFAULT_HEARTBEAT_INTERVAL);
        boolean allowEmptyStart = r.bool(ALLOW_EMPTY_START, false);
        Optional<Integer> metricsPort = r.optionalInteger(METRICS_PORT, 0, 65535);
        r.throwIfProblems();
        return new AgentConfig(server, tenant.orElseThrow(), token.orElseThrow(), machineId, databases, schedule,
                onShutdown, shutdownTimeout, tempDir, stateDir, zstdLevel, zstdWorkers, concurrency, fullCheck,
                minFree, retry, requestTimeout,
                r.string(FLY_REGION).filter(v -> v.matches("[A-Za-z0-9._+-]{1,64}")), // Fly's; the server's label form
                heartbeat, allowEmptyStart, metricsPort);
    }

    /** {@code BACKUP_*} variables this agent does not know: most likely typos. */
    public Set<String> unknownVariables() {
        return new TreeSet<>(UnknownVariables.in(env, KNOWN));
    }

    /**
     * Hourly, at a minute derived from the tenant: thousands of tenants must not all upload on the hour.
     */
    static String defaultSchedule(String tenant) {
        return "0 " + Math.floorMod(tenant.hashCode(), 60) + " * * * ?";
    }

    private static URI serverUrl(EnvReader r) {
        Optional<String> given = r.string(SERVER_URL);
        if (given.isEmpty()) {
            r.problem(SERVER_URL, "is not set: give the backup server's base URL, e.g. https://cellar.example.com");
            return null;
        }
        String text = given.get();
        try {
            URI uri = new URI(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null
                    && uri.getQuery() == null && uri.getFragment() == null && uri.getUserInfo() == null) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // fall through to the problem below
        }
        r.problem(SERVER_URL, "must be an http(s) URL without query or credentials, got '" + text + "'");
        return null;
    }

    private static boolean integrityCheck(EnvReader r) {
        String v = r.string(INTEGRITY_CHECK, "quick");
        if (!v.equals("quick") && !v.equals("full")) {
            r.problem(INTEGRITY_CHECK, "must be 'quick' or 'full', got '" + v + "'");
        }
        return v.equals("full");
    }

    private static Optional<String> name(EnvReader r, String variable, Optional<String> value, String kind) {
        if (value.isPresent() && !Names.isValid(value.get())) {
            r.problem(variable + ":", Names.problem(kind, value.get()));
            return Optional.empty();
        }
        return value;
    }

    private static Optional<Path> absolute(EnvReader r, String variable) {
        Optional<String> text = r.string(variable);
        if (text.isPresent() && !Path.of(text.get()).isAbsolute()) {
            r.problem(variable, "must be an absolute path, got '" + text.get() + "'");
            return Optional.empty();
        }
        return text.map(Path::of);
    }
}
