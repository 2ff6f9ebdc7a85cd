package dev.cellar.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cellar.server.alert.Alerts;
import dev.cellar.server.alert.StatusWatch;
import dev.cellar.server.auth.Access;
import dev.cellar.server.auth.AdminSessions;
import dev.cellar.server.auth.TokenService;
import dev.cellar.server.config.ServerConfig;
import dev.cellar.server.drill.Drill;
import dev.cellar.server.drill.DrillHandlers;
import dev.cellar.server.drill.DrillRun;
import dev.cellar.server.health.Readiness;
import dev.cellar.server.housekeeping.HousekeepingJob;
import dev.cellar.server.http.ErrorMapping;
import dev.cellar.server.http.ConnectorSettings;
import dev.cellar.server.http.Json;
import dev.cellar.server.http.JsonErrorHandler;
import dev.cellar.server.http.OpenApiDocument;
import dev.cellar.server.jobs.JobHandlers;
import dev.cellar.server.jobs.JobRunner;
import dev.cellar.server.jobs.JobRuns;
import dev.cellar.server.jobs.NightlyJob;
import dev.cellar.server.jobs.NightlyScheduler;
import dev.cellar.server.machine.HeartbeatHandler;
import dev.cellar.server.machine.MachineRegistry;
import dev.cellar.server.metrics.MetricsEndpoint;
import dev.cellar.server.metrics.PrometheusMetrics;
import dev.cellar.server.restore.RestoreHandlers;
import dev.cellar.server.restore.RestoreRequests;
import dev.cellar.server.retention.RetentionHandlers;
import dev.cellar.server.retention.RetentionPolicies;
import dev.cellar.server.retention.RetentionRun;
import dev.cellar.server.snapshot.SnapshotCatalog;
import dev.cellar.server.snapshot.SnapshotDownloads;
import dev.cellar.server.snapshot.SnapshotHandlers;
import dev.cellar.server.snapshot.SnapshotIngest;
import dev.cellar.server.snapshot.UploadConfirmations;
import dev.cellar.server.snapshot.UploadVerifier;
import dev.cellar.server.status.BackupStatus;
import dev.cellar.server.status.StaleJob;
import dev.cellar.server.storage.BlobStore;
import dev.cellar.server.tenant.TenantHandlers;
import dev.cellar.server.tenant.TenantOverview;
import dev.cellar.server.tenant.TenantRegistry;
import dev.cellar.server.tenant.TenantWalk;
import dev.cellar.server.ui.AdminPage;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.json.JavalinJackson;
import java.time.Clock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.http.UriCompliance;

/** The HTTP server: every route at a glance, built from its parts. */
public final class CellarServer implements AutoCloseable {
    private static final String DB = "/api/v1/tenants/{tenant}/databases/{database}";
    /** How long a stopping server waits for requests in flight; below the platform's kill timeout (fly.toml). */
    static final long DRAIN_MILLIS = 20_000;
    private static final String RESTORES = "/api/v1/tenants/{tenant}/restores";
    private final Javalin app;
    private final BlobStore store;
    private final NightlyScheduler scheduler;
    private final Alerts alerts;
    private final StatusWatch watch;
    private final PrometheusMetrics metrics;
    private final MetricsEndpoint metricsEndpoint;

    public CellarServer(ServerConfig config, BlobStore store, String adminToken, byte[] tokenSecret, Clock systemClock) {
        this.store = store;
        Clock clock = Clock.tick(systemClock, Duration.ofMillis(1)); // the API's instants, like versions, are in ms
        ObjectMapper json = Json.mapper();
        this.metrics = new PrometheusMetrics(config.metrics().perTenant());
        TenantRegistry tenants = new TenantRegistry(store, json, clock);
        TokenService tokens = new TokenService(adminToken, tokenSecret, tenants, config.tokenCacheTtl(), clock);
        AdminSessions adminSessions = new AdminSessions(adminToken, tokenSecret, store, config.adminSessionTtl(),
                clock);
        Access access = new Access(tokens, adminSessions);
        SnapshotCatalog catalog = new SnapshotCatalog(store);
        UploadConfirmations confirmations = new UploadConfirmations(store, json);
        UploadVerifier verifier = config.verifyOnUpload()
                ? new UploadVerifier(config.dataDir().resolve("verify-spool"), config.verifySpoolBytes()) : null;
        SnapshotIngest ingest = new SnapshotIngest(store, catalog, config.maxSnapshotBytes(), clock, confirmations,
                config.uploadLimits(), verifier);
        SnapshotDownloads downloads = new SnapshotDownloads(access, catalog, store, config.maxPlainDownloads(),
                metrics);
        MachineRegistry machines = new MachineRegistry(store, json, clock, config.maxMachinesPerTenant());
        BackupStatus status = new BackupStatus(catalog, confirmations, machines, config.staleAfter(), clock);
        this.alerts = new Alerts(config.alerts());
        this.watch = new StatusWatch(store, json, catalog, machines, status, alerts, clock);
        TenantOverview overview = new TenantOverview(tenants, catalog, machines, config.forkWindow(), clock, status);
        TenantWalk fleet = new TenantWalk(store);
        TenantHandlers tenantHandlers = new TenantHandlers(access, tokens, fleet, overview);
        RestoreRequests restoreRequests = new RestoreRequests(store, json, clock, config.restoreLease());
        SnapshotHandlers snapshots = new SnapshotHandlers(access, catalog, ingest, json, config.maxConcurrentUploads(),
                config.uploadLimits(), restoreRequests, metrics);
        RestoreHandlers restores = new RestoreHandlers(access, restoreRequests, catalog, json);
        HeartbeatHandler heartbeats = new HeartbeatHandler(access, machines, restoreRequests, json, watch, clock);
        RetentionPolicies retentionPolicies = new RetentionPolicies(store, json, config.retention());
        RetentionRun retention = new RetentionRun(fleet, catalog, retentionPolicies, restoreRequests);
        RetentionHandlers retentionHandlers = new RetentionHandlers(access, retentionPolicies, retention, json);
        DrillRun drills = new DrillRun(fleet, catalog, new Drill(store, config.dataDir().resolve("drills")),
                config.drillConcurrency(), clock, watch::soon, metrics);
        DrillHandlers drillHandlers = new DrillHandlers(access, drills);

        List<NightlyJob> chain = List.of( // the nightly order
                retention,
                drills,
                new StaleJob(fleet, watch),
                new HousekeepingJob(store, fleet, restoreRequests, machines, clock));
        JobRunner runner = new JobRunner(chain, new JobRuns(store, json), clock, config.scheduler().instanceId(),
                metrics);
        this.scheduler = NightlyScheduler.start(config.scheduler(), runner);
        JobHandlers jobs = new JobHandlers(access, runner, scheduler);
        this.metricsEndpoint = new MetricsEndpoint(metrics, access, config.metrics(), fleet, catalog, status, clock);
        AdminPage adminPage = new AdminPage(new AdminPage.Services(access, adminSessions, tenants, overview, catalog,
                downloads, status, restoreRequests, retentionPolicies, drills, machines, clock));

        this.app = Javalin.create(c -> {
            c.startup.showJavalinBanner = false;
            c.jsonMapper(new JavalinJackson(json, false));
            c.http.compressionStrategy = CompressionStrategy.NONE;
            c.http.defaultContentType = "application/json";
            c.http.prefer405over404 = true;
            // names like "a%2Fb" must reach the handlers to be refused as invalid_name, not by Jetty as HTML
            c.jetty.modifyHttpConfiguration(h -> h.setUriCompliance(UriCompliance.LEGACY));
            c.jetty.modifyServletContextHandler(h -> h.getServletHandler().setDecodeAmbiguousURIs(true));
            // on stop, refuse new connections but let requests in flight (an agent's last upload) finish
            c.jetty.modifyServer(server -> {
                server.setStopTimeout(DRAIN_MILLIS);
                server.setErrorHandler(new JsonErrorHandler()); // Jetty's own refusals answer JSON too
                ConnectorSettings.apply(server, config.idleTimeout());
            });
            ErrorMapping.install(c.routes, metrics,
                    (e, ctx) -> alerts.unexpected(e, ctx.method().name(), ctx.path()));

            c.routes.get("/up", ctx -> ctx.json(Map.of("status", "ok")));
            c.routes.get("/metrics", metricsEndpoint::get);
            c.routes.get("/ready", Readiness.of(store, systemClock)::handle);
            c.routes.get(OpenApiDocument.PATH, new OpenApiDocument()::handle);

            c.routes.post("/api/v1/tenants/{tenant}/tokens", tenantHandlers::mintToken);
            c.routes.delete("/api/v1/tenants/{tenant}/tokens", tenantHandlers::revokeTokens);
            c.routes.get("/api/v1/tenants", tenantHandlers::list);
            c.routes.get("/api/v1/tenants/{tenant}", tenantHandlers::get);

            c.routes.post(DB + "/snapshots", snapshots::upload);
            c.routes.get(DB + "/snapshots", snapshots::list);
            c.routes.get(DB + "/snapshots/{version}", downloads::get);
            c.routes.head(DB + "/snapshots/{version}", downloads::head);
            c.routes.delete(DB + "/snapshots/{version}", snapshots::delete);

            c.routes.post("/api/v1/tenants/{tenant}/heartbeats", heartbeats::heartbeat);
            c.routes.post(DB + "/restores", restores::create);
            c.routes.get(RESTORES, restores::list);
            c.routes.get(RESTORES + "/{id}", restores::get);
            c.routes.delete(RESTORES + "/{id}", restores::cancel);
            c.routes.post(RESTORES + "/{id}/claim", restores::claim);
            c.routes.post(RESTORES + "/{id}/result", restores::result);

            c.routes.get("/api/v1/tenants/{tenant}/retention", retentionHandlers::get);
            c.routes.put("/api/v1/tenants/{tenant}/retention", retentionHandlers::put);
            c.routes.delete("/api/v1/tenants/{tenant}/retention", retentionHandlers::delete);
            c.routes.post("/api/v1/retention/run", retentionHandlers::run);
            c.routes.post("/api/v1/drills/run", drillHandlers::run);
            c.routes.get("/api/v1/jobs", jobs::list);
            c.routes.post("/api/v1/jobs/{name}/run", jobs::run);

            adminPage.install(c.routes); // the admin web page: / and /ui/*
        });
    }

    public CellarServer start(String host, int port) {
        app.start(host, port);
        metrics.bindJetty(app.jettyServer().server());
        try {
            metricsEndpoint.listen();
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("cannot listen for metrics (BACKUP_METRICS_PORT): " + e.getMessage(), e);
        }
        return this;
    }

    /** The port of the tokenless metrics listener, when {@code BACKUP_METRICS_PORT} is set. */
    public Optional<Integer> metricsPort() {
        return metricsEndpoint.port();
    }

    /**
     * Every registered route as {@code "METHOD /path/{param}"}, in registration order: the isolation test walks
     * this table so that a new endpoint cannot be left out of it.
     */
    public List<String> routes() {
        return app.unsafe.internalRouter.allHttpHandlers().stream()
                .map(e -> e.endpoint.method + " " + e.endpoint.path)
                .toList();
    }

    /** The port actually bound (useful with port 0). */
    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
        metricsEndpoint.close();
        scheduler.close(); // after the last request, before the store its jobs use
        watch.close(); // evaluations queued by the last requests, then the alerts they queued
        alerts.close();
        store.close();
        metrics.close();
    }

}
