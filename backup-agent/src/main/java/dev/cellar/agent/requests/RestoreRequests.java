package dev.cellar.agent.requests;

import dev.cellar.agent.client.ApiException;
import dev.cellar.agent.client.BackupClient;
import dev.cellar.agent.client.RestoreRequest;
import dev.cellar.agent.client.Retrier;
import dev.cellar.agent.config.Database;
import dev.cellar.agent.config.DatabaseResolver;
import dev.cellar.agent.log.Kv;
import java.io.IOException;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This machine's side of restore requests: heartbeats that fetch the pending ones, claiming one before applying it,
 * and reporting how it ended. A request is applied at most once per agent (its id is remembered once claimed or
 * refused); a result the server could not take is sent again with the next heartbeat.
 */
public final class RestoreRequests {
    private static final Logger LOG = LoggerFactory.getLogger(RestoreRequests.class);
    private static final int MAX_MESSAGE = 2000;

    /** Who this machine is, as heartbeats tell the server. */
    public record Machine(String machineId, Optional<String> region, String agentVersion) {
    }

    private record Result(RestoreRequest request, String state, String message) {
    }

    private final BackupClient client;
    private final Retrier retrier;
    private final Machine machine;
    private final DatabaseResolver databases;
    private final Set<String> handled = ConcurrentHashMap.newKeySet();
    private final Set<String> noted = ConcurrentHashMap.newKeySet();
    private final ConcurrentLinkedQueue<Result> unsent = new ConcurrentLinkedQueue<>();

    public RestoreRequests(BackupClient client, Retrier retrier, Machine machine, DatabaseResolver databases) {
        this.client = client;
        this.retrier = retrier;
        this.machine = machine;
        this.databases = databases;
    }

    public String machineId() {
        return machine.machineId();
    }

    /**
     * Sends a heartbeat (after any result still owed to the server).
     *
     * @return the pending requests this machine may apply and has not handled yet, oldest first
     */
    public List<RestoreRequest> heartbeat() throws IOException, ApiException, InterruptedException {
        sendUnsentResults();
        List<String> names = databaseNames();
        List<RestoreRequest> pending = retrier.call("heartbeat", () -> client.heartbeat(machine.machineId(),
                machine.region(), machine.agentVersion(), names));
        List<RestoreRequest> open = pending.stream()
                .filter(r -> r.targets(machine.machineId()) && !handled.contains(r.id()))
                .sorted(Comparator.comparing(RestoreRequest::id))
                .toList();
        LOG.info("event=heartbeat.sent machine={} databases={} pending_requests={}", machine.machineId(), names.size(),
                open.size());
        return open;
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
     * Claims {@code request} for this machine.
     *
     * @return false when the server refused (409: another machine has it, it is no longer pending, or it targets
     *         another machine); the request is then never tried again by this agent
     */
    public boolean claim(RestoreRequest request) throws IOException, ApiException, InterruptedException {
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
            return false;
        }
        handled.add(request.id());
        LOG.info("event=restore_request.claimed id={} database={} version={} machine={}", request.id(),
                request.database(), request.version(), machine.machineId());
        return true;
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
        if (!send(new Result(request, state, message))) {
            unsent.add(new Result(request, state, message));
        }
    }

    /** Logs {@code why} a request is left alone, once per request. */
    public void skip(RestoreRequest request, String why) {
        if (noted.add(request.id())) {
            LOG.info("event=restore_request.skipped id={} database={} reason={}", request.id(), request.database(),
                    Kv.quote(why));
        }
    }

    private void sendUnsentResults() throws InterruptedException {
        for (int n = unsent.size(); n > 0; n--) {
            Result r = unsent.poll();
            if (r != null && !send(r)) {
                unsent.add(r);
            }
        }
    }

    private boolean send(Result r) throws InterruptedException {
        try {
            retrier.call("result of restore request " + r.request().id(), () -> client.reportResult(r.request().id(),
                    r.state(), truncate(r.message()), machine.machineId()));
            return true;
        } catch (ApiException e) {
            LOG.error("event=restore_request.result_refused id={} state={} error={}", r.request().id(), r.state(),
                    Kv.quote(e.getMessage()));
            return true; // a refusal will not change on a retry
        } catch (IOException e) {
            LOG.warn("event=restore_request.result_unsent id={} state={} error={}", r.request().id(), r.state(),
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
