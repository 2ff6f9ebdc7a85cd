package dev.cellar.server.metrics;

import dev.cellar.server.drill.DrillRun;
import dev.cellar.server.jobs.JobRun;
import dev.cellar.server.snapshot.Verifications;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jetty.JettyConnectionMetrics;
import io.micrometer.core.instrument.binder.jetty.JettyServerThreadPoolMetrics;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.server.Server;

/**
 * The server's metrics in a Micrometer registry, scraped in the Prometheus text format. Labels stay few and bounded
 * (an outcome, a form, an error code, a job name) so that the number of series does not grow with the fleet; a
 * {@code tenant} label is added only when {@code BACKUP_METRICS_PER_TENANT=true}.
 */
public final class PrometheusMetrics implements Metrics, AutoCloseable {
    /** Upload and download durations: from a small database on a fast link to a large one on a slow link. */
    private static final Duration[] TRANSFER_BUCKETS = {Duration.ofMillis(100), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(15), Duration.ofMinutes(1),
            Duration.ofMinutes(5), Duration.ofMinutes(30), Duration.ofHours(2)};
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final boolean perTenant;
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final Map<String, AtomicLong> lastSuccess = new ConcurrentHashMap<>();

    public PrometheusMetrics(boolean perTenant) {
        this.perTenant = perTenant;
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        // created up front so that a scrape shows them at zero before the first event: rate() needs the start
        counter("cellar.storage.errors", Tags.empty());
        for (String result : new String[]{"ok", "failed", "not_run"}) {
            counter("cellar.drills", Tags.of("result", result));
        }
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Jetty's thread pool and connections; called once the server has its connectors. */
    public void bindJetty(Server server) {
        new JettyServerThreadPoolMetrics(server.getThreadPool(), Tags.empty()).bindTo(registry);
        JettyConnectionMetrics.addToAllConnectors(server, registry);
    }

    /** Every metric in the Prometheus text format (version 0.0.4). */
    public String scrape() {
        return registry.scrape();
    }

    @Override
    public void uploaded(String tenant, boolean stored, long storedBytes, long nanos) {
        Tags tags = tenant(tenant).and("outcome", stored ? "stored" : "unchanged");
        counter("cellar.uploads", tags).increment();
        transferTimer("cellar.upload.duration", tags).record(nanos, TimeUnit.NANOSECONDS);
        counter("cellar.upload.stored.bytes", tenant(tenant)).increment(stored ? storedBytes : 0);
    }

    @Override
    public void downloaded(String tenant, boolean plain, long bytes, long nanos) {
        Tags tags = tenant(tenant).and("form", plain ? "sqlite" : "zstd");
        counter("cellar.downloads", tags).increment();
        transferTimer("cellar.download.duration", tags).record(nanos, TimeUnit.NANOSECONDS);
        counter("cellar.download.bytes", tags).increment(bytes);
    }

    @Override
    public void refused(int status, String code) {
        // never the tenant here: anyone can provoke a refusal, and must not be able to mint label values
        counter("cellar.refusals", Tags.of("status", Integer.toString(status), "reason", code)).increment();
    }

    @Override
    public void storageFailed() {
        counter("cellar.storage.errors", Tags.empty()).increment();
    }

    @Override
    public void jobFinished(JobRun run) {
        counter("cellar.job.runs", Tags.of("job", run.job(), "outcome", run.outcome())).increment();
        Timer.builder("cellar.job.duration").tags("job", run.job()).register(registry)
                .record(Duration.between(run.startedAt(), run.finishedAt()));
        if ("ok".equals(run.outcome())) {
            lastSuccess.computeIfAbsent(run.job(), job -> {
                AtomicLong at = new AtomicLong();
                Gauge.builder("cellar.job.last.success.timestamp.seconds", at, AtomicLong::get).tags("job", job)
                        .register(registry);
                return at;
            }).set(run.finishedAt().getEpochSecond());
        }
    }

    @Override
    public void drilled(DrillRun.Result result) {
        String outcome = result.notRun() != null ? "not_run"
                : Verifications.OK.equals(result.verification()) ? "ok" : "failed";
        counter("cellar.drills", Tags.of("result", outcome)).increment();
    }

    private Tags tenant(String tenant) {
        return perTenant ? Tags.of("tenant", tenant) : Tags.empty();
    }

    private Counter counter(String name, Tags tags) {
        return Counter.builder(name).tags(tags).register(registry);
    }

    private Timer transferTimer(String name, Tags tags) {
        return Timer.builder(name).tags(tags).serviceLevelObjectives(TRANSFER_BUCKETS).register(registry);
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
