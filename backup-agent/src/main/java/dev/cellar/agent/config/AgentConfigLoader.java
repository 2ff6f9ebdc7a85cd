package dev.cellar.agent.config;

import dev.cellar.core.Names;
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
 * Reads {@link AgentConfig} from environment variables, validating each value and naming the variable when one is
 * wrong. Unknown {@code BACKUP_*} names are collected so that a typo is reported instead of silently ignored.
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
    /** Read by logback.xml, not here; listed so that it is not reported as unknown. */
    public static final String LOG_LEVEL = "BACKUP_LOG_LEVEL";
    /** Read by logback.xml ({@code text} or {@code json}); validated here, since logback cannot refuse a value. */
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
     * @throws ConfigException naming the first variable that is missing or invalid
     */
    public AgentConfig load() {
        String logFormat = get(LOG_FORMAT).orElse("text");
        if (!logFormat.equals("text") && !logFormat.equals("json")) {
            throw new ConfigException(LOG_FORMAT + " must be text or json, got '" + logFormat + "'");
        }
        URI server = serverUrl();
        String tenant = name(TENANT, get(TENANT).or(() -> get(FLY_MACHINE_ID)), "tenant")
                .orElseThrow(() -> new ConfigException(TENANT + " is not set (nor " + FLY_MACHINE_ID
                        + ", its default): set it to the tenant this machine belongs to"));
        String token = get(TOKEN).orElseThrow(() -> new ConfigException(TOKEN + " is not set: mint one with"
                + " POST /api/v1/tenants/" + tenant + "/tokens and set it as a secret"));
        Optional<String> machineId = name(MACHINE_ID, get(MACHINE_ID).or(() -> get(FLY_MACHINE_ID)), "machine");
        List<DatabaseSpec> databases = DatabaseSpec.parseList(DATABASES, get(DATABASES).orElse(DEFAULT_DATABASES));
        String schedule = get(SCHEDULE).orElse(defaultSchedule(tenant));
        if (!CronExpression.isValidExpression(schedule)) {
            throw new ConfigException(SCHEDULE + " is not a valid Quartz cron expression (seconds minutes hours"
                    + " day-of-month month day-of-week, e.g. '0 15 * * * ?'): '" + schedule + "'");
        }
        RetryPolicy retry = new RetryPolicy(
                get(RETRY_ATTEMPTS).map(v -> Values.intInRange(RETRY_ATTEMPTS, v, 1, 100)).orElse(8),
                get(RETRY_BASE_DELAY).map(v -> Values.duration(RETRY_BASE_DELAY, v)).orElse(Duration.ofSeconds(1)),
                get(RETRY_MAX_DELAY).map(v -> Values.duration(RETRY_MAX_DELAY, v)).orElse(Duration.ofMinutes(1)));
        return new AgentConfig(
                server,
                tenant,
                token,
                machineId,
                databases,
                schedule,
                get(ON_SHUTDOWN).map(v -> Values.bool(ON_SHUTDOWN, v)).orElse(true),
                get(SHUTDOWN_TIMEOUT).map(v -> Values.duration(SHUTDOWN_TIMEOUT, v)).orElse(DEFAULT_SHUTDOWN_TIMEOUT),
                get(TEMP_DIR).map(v -> absolute(TEMP_DIR, v)),
                get(STATE_DIR).map(v -> absolute(STATE_DIR, v)),
                get(ZSTD_LEVEL).map(v -> Values.intInRange(ZSTD_LEVEL, v, 1, MAX_ZSTD_LEVEL)).orElse(3),
                get(ZSTD_WORKERS).map(v -> Values.intInRange(ZSTD_WORKERS, v, 0, 256)).orElse(Zstd.defaultWorkers()),
                get(CONCURRENCY).map(v -> Values.intInRange(CONCURRENCY, v, 1, 16)).orElse(DEFAULT_CONCURRENCY),
                integrityCheck(),
                get(MIN_FREE).map(v -> Values.size(MIN_FREE, v)).orElse(64L << 20),
                retry,
                get(REQUEST_TIMEOUT).map(v -> Values.duration(REQUEST_TIMEOUT, v)).orElse(Duration.ofSeconds(30)),
                get(FLY_REGION).filter(r -> r.matches("[A-Za-z0-9._+-]{1,64}")), // Fly's; the server's label form
                get(HEARTBEAT_INTERVAL).map(v -> positive(HEARTBEAT_INTERVAL, Values.duration(HEARTBEAT_INTERVAL, v)))
                        .orElse(DEFAULT_HEARTBEAT_INTERVAL),
                get(ALLOW_EMPTY_START).map(v -> Values.bool(ALLOW_EMPTY_START, v)).orElse(false),
                get(METRICS_PORT).map(v -> Values.intInRange(METRICS_PORT, v, 0, 65535)));
    }

    private static Duration positive(String variable, Duration d) {
        if (d.isZero()) {
            throw new ConfigException(variable + " must be longer than zero");
        }
        return d;
    }

    /** {@code BACKUP_*} variables this agent does not know: most likely typos. */
    public Set<String> unknownVariables() {
        Set<String> unknown = new TreeSet<>();
        for (String key : env.keySet()) {
            if (key.startsWith("BACKUP_") && !KNOWN.contains(key)) {
                unknown.add(key);
            }
        }
        return unknown;
    }

    /**
     * Hourly, at a minute derived from the tenant: thousands of tenants must not all upload on the hour.
     */
    static String defaultSchedule(String tenant) {
        return "0 " + Math.floorMod(tenant.hashCode(), 60) + " * * * ?";
    }

    private URI serverUrl() {
        String text = get(SERVER_URL).orElseThrow(() -> new ConfigException(SERVER_URL
                + " is not set: give the backup server's base URL, e.g. https://cellar.example.com"));
        try {
            URI uri = new URI(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null
                    && uri.getQuery() == null && uri.getFragment() == null && uri.getUserInfo() == null) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // fall through to the message below
        }
        throw new ConfigException(SERVER_URL + " must be an http(s) URL without query or credentials, got '"
                + text + "'");
    }

    private boolean integrityCheck() {
        String v = get(INTEGRITY_CHECK).orElse("quick");
        return switch (v) {
            case "quick" -> false;
            case "full" -> true;
            default -> throw new ConfigException(INTEGRITY_CHECK + " must be 'quick' or 'full', got '" + v + "'");
        };
    }

    private static Optional<String> name(String variable, Optional<String> value, String kind) {
        value.ifPresent(v -> {
            if (!Names.isValid(v)) {
                throw new ConfigException(variable + ": " + Names.problem(kind, v));
            }
        });
        return value;
    }

    private static Path absolute(String variable, String text) {
        Path p = Path.of(text);
        if (!p.isAbsolute()) {
            throw new ConfigException(variable + " must be an absolute path, got '" + text + "'");
        }
        return p;
    }

    private Optional<String> get(String key) {
        return Optional.ofNullable(env.get(key)).map(String::trim).filter(v -> !v.isEmpty());
    }
}
