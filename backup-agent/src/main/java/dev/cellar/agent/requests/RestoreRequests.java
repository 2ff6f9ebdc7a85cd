package dev.cellar.agent.requests;

import dev.cellar.agent.client.ApiException;
import dev.cellar.agent.client.BackupClient;
import dev.cellar.agent.client.RestoreRequest;
import dev.cellar.agent.client.Retrier;
import dev.cellar.agent.client.SkippedVersion;
import dev.cellar.agent.config.Database;
import dev.cellar.agent.config.DatabaseResolver;
import dev.cellar.agent.log.Kv;
import dev.cellar.agent.restore.SkippedVersions;
import dev.cellar.agent.snapshot.DatabaseHealth;
import dev.cellar.agent.snapshot.UploadState;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This machine's side of restore requests: heartbeats that fetch the pending ones, claiming one before applying it,
 * and reporting how it ended. A request is applied at most once per agent (its id is remembered once claimed or
 * refused); a result the server could not take is kept on disk ({@link ResultJournal}) and sent again with the
 * next heartbeat, also after a restart.
 */
public final class RestoreRequests {
    private static final Logger LOG = LoggerFactory.getLogger(RestoreRequests.class);
    private static final int MAX_MESSAGE = 2000;

    /** Who this machine is, as heartbeats tell the server. */
    public record Machine(String machineId, Optional<String> region, String agentVersion) {
    }

    /** How a claim went: {@code refusal} is the server's 409 when another machine has it or it has ended. */
    public record Claim(Optional<ApiException> refusal) {
        public boolean claimed() {
            return refusal.isEmpty();
        }

        /** Another machine holds the request under a valid lease. */
        public boolean heldElsewhere() {
            return refusal.map(e -> e.code().equals("already_claimed")).orElse(false);
        }
    }

    private final BackupClient client;
    private final Retrier retrier;
    private final Machine machine;
    private final DatabaseResolver databases;
    private final Set<String> handled = ConcurrentHashMap.newKeySet();
    private final Set<String> noted = ConcurrentHashMap.newKeySet();
    private final ResultJournal unsent;
    private final SkippedVersions skipped;
    private volatile boolean reportSkipped = true;
    private final DatabaseHealth health;

    /** @param skipped the versions boot restores skipped, which every heartbeat reports */
    public RestoreRequests(BackupClient client, Retrier retrier, Machine machine, DatabaseResolver databases,
                           UploadState state, SkippedVersions skipped,
                           DatabaseHealth health) {
        this.health = health;
        this.client = client;
        this.skipped = skipped;
        this.retrier = retrier;
        this.machine = machine;
        this.databases = databases;
        this.unsent = new ResultJournal(databases, state);
    }

    public String machineId() {
        return machine.machineId();
    }

    /**
     * Sends a heartbeat (after any result still owed to the server, also those an earlier run of the agent left).
     *
     * @return the open requests this machine may apply and has not handled yet, oldest first: pending ones, those
     *         it holds (claimed before a restart: it resumes them) and those another machine holds
     */
    public List<RestoreRequest> heartbeat() throws IOException, ApiException, InterruptedException {
        Set<String> owed = sendUnsentResults();
        List<String> names = databaseNames();
        List<RestoreRequest> listed = send(names);
        List<RestoreRequest> open = listed.stream()
                .filter(r -> r.targets(machine.machineId()) && !handled.contains(r.id()) && !owed.contains(r.id()))
                .sorted(Comparator.comparing(RestoreRequest::id))
                .toList();
        LOG.info("event=heartbeat.sent machine={} databases={} pending_requests={}", machine.machineId(), names.size(),
                open.size());
        return open;
    }

    /**
     * The heartbeat itself, with the versions this process's boot restores skipped. A server that does not know
     * that field yet refuses the heartbeat (400): it is then sent without them, and so are the later ones.
     */
    private List<RestoreRequest> send(List<String> names) throws IOException, ApiException, InterruptedException {
        List<SkippedVersion> report = reportSkipped ? skipped.list() : List.of();
        try {
            return retrier.call("heartbeat", () -> client.heartbeat(machine.machineId(), machine.region(),
                    machine.agentVersion(), health.reports(names), report, false));
        } catch (ApiException e) {
            if (e.status() != 400 || report.isEmpty()) {
                throw e;
            }
            reportSkipped = false;
            LOG.warn("event=heartbeat.report_refused field=skippedVersions error={} consequence=\"heartbeats go"
                    + " on without it; the skipped versions are in this log\"", Kv.quote(e.getMessage()));
            return retrier.call("heartbeat", () -> client.heartbeat(machine.machineId(), machine.region(),
                    machine.agentVersion(), health.reports(names), List.of(), false));
        }
    }

    /**
     * The final heartbeat at shutdown: the machine stops on purpose, with the outcome of the last snapshot. One
     * attempt, never retried, given up after {@code budget} (it runs on a thread of its own that the exiting JVM
     * leaves behind), so it always fits the shutdown deadline.
     */
    public void finalHeartbeat(Duration budget) {
        List<String> names = databaseNames();
        CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
            try {
                client.heartbeat(machine.machineId(), machine.region(), machine.agentVersion(),
                        health.reports(names), reportSkipped ? skipped.list() : List.of(), true);
            } catch (IOException | ApiException e) {
                throw new CompletionException(e);
            }
        }, r -> {
            Thread t = new Thread(r, "cellar-final-heartbeat");
            t.setDaemon(true);
            t.start();
        });
        try {
            sent.get(budget.toMillis(), TimeUnit.MILLISECONDS);
            LOG.info("event=heartbeat.final machine={} databases={}", machine.machineId(), names.size());
        } catch (TimeoutException e) {
            LOG.warn("event=heartbeat.final_failed machine={} error=\"no answer within {} ms\"", machine.machineId(),
                    budget.toMillis());
        } catch (ExecutionException e) {
            LOG.warn("event=heartbeat.final_failed machine={} error={}", machine.machineId(),
                    Kv.quote(String.valueOf(e.getCause().getMessage())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether this agent has claimed {@code request} already, or been refused it. */
    public boolean handled(RestoreRequest request) {
        return handled.contains(request.id());
    }

    /** The newest of {@code pending} for {@code database}, if any. */
    public static Optional<RestoreRequest> newestFor(List<RestoreRequest> pending, String database) {
        return pending.stream().filter(r -> r.database().equals(database))
                .max(Comparator.comparing(RestoreRequest::id));
    }

    /**
     * Claims {@code request} for this machine, or renews this machine's claim of it (a restarted agent resumes
     * what it had claimed), or takes it over from a machine whose lease has lapsed.
     *
     * @return refused when the server said 409 (another machine holds it, it has ended, or it targets another
     *         machine); this agent then never tries the request again
     */
    public Claim claim(RestoreRequest request) throws IOException, ApiException, InterruptedException {
        try {
            retrier.call("claim of restore request " + request.id(), () -> client.claim(request.id(),
                    machine.machineId()));
        } catch (ApiException e) {
            if (e.status() != 409) {
                throw e;
            }
            handled.add(request.id());
            LOG.warn("event=restore_request.claim_refused id={} database={} code={} reason={}", request.id(),
                    request.database(), e.code(), Kv.quote(e.getMessage()));
            return new Claim(Optional.of(e));
        }
        handled.add(request.id());
        LOG.info("event=restore_request.claimed id={} database={} version={} machine={} resumed={}", request.id(),
                request.database(), request.version(), machine.machineId(),
                request.claimedBy().filter(machine.machineId()::equals).isPresent());
        return new Claim(Optional.empty());
    }

    /**
     * Records, before a restored file is renamed into {@code target}, that the request completed: should the agent
     * die between the rename and the report, the next start reports it instead of applying the request again.
     */
    public void completing(RestoreRequest request, String message, Path target) throws IOException {
        unsent.save(new ResultJournal.Entry(request.id(), request.database(), RestoreRequest.COMPLETED, message,
                Optional.of(target)));
    }

    /** Reports the end of a claimed request; when the server cannot take it now, the next heartbeat sends it. */
    public void finish(RestoreRequest request, String state, String message) throws InterruptedException {
        if (RestoreRequest.COMPLETED.equals(state)) {
            LOG.info("event=restore_request.completed id={} database={} message={}", request.id(), request.database(),
                    Kv.quote(message));
        } else {
            LOG.error("event=restore_request.failed id={} database={} error={}", request.id(), request.database(),
                    Kv.quote(message));
        }
        ResultJournal.Entry entry = new ResultJournal.Entry(request.id(), request.database(), state, message,
                Optional.empty());
        try {
            unsent.save(entry); // kept until the server has it, across restarts
        } catch (IOException e) {
            LOG.warn("event=restore_request.result_unsaved id={} error={}", request.id(), Kv.quote(e.toString()));
        }
        if (send(entry)) {
            unsent.remove(entry);
        }
    }

    /** Logs {@code why} a request is left alone, once per request. */
    public void skip(RestoreRequest request, String why) {
        if (noted.add(request.id())) {
            LOG.info("event=restore_request.skipped id={} database={} reason={}", request.id(), request.database(),
                    Kv.quote(why));
        }
    }

    /** @return the ids whose results are still owed (those requests must not be applied again meanwhile) */
    private Set<String> sendUnsentResults() throws InterruptedException {
        Set<String> owed = new HashSet<>();
        for (ResultJournal.Entry e : unsent.load()) {
            if (send(e)) {
                unsent.remove(e);
            } else {
                owed.add(e.id());
            }
        }
        return owed;
    }

    private boolean send(ResultJournal.Entry r) throws InterruptedException {
        try {
            retrier.call("result of restore request " + r.id(), () -> client.reportResult(r.id(),
                    r.state(), truncate(r.message()), machine.machineId()));
            LOG.info("event=restore_request.reported id={} database={} state={}", r.id(), r.database(), r.state());
            return true;
        } catch (ApiException e) {
            LOG.error("event=restore_request.result_refused id={} state={} error={}", r.id(), r.state(),
                    Kv.quote(e.getMessage()));
            return true; // a refusal will not change on a retry
        } catch (IOException e) {
            LOG.warn("event=restore_request.result_unsent id={} state={} error={}", r.id(), r.state(),
                    Kv.quote(e.getMessage()));
            return false;
        }
    }

    private List<String> databaseNames() {
        Set<String> names = new LinkedHashSet<>(databases.namedDatabases());
        try {
            for (Database db : databases.present()) {
                names.add(db.name());
            }
        } catch (IOException e) {
            LOG.warn("event=database.scan_failed error={}", Kv.quote(e.toString()));
        }
        return List.copyOf(names);
    }

    /** The server takes messages of up to 2,000 characters. */
    private static String truncate(String message) {
        return message.length() <= MAX_MESSAGE ? message : message.substring(0, MAX_MESSAGE - 3) + "...";
    }
}
