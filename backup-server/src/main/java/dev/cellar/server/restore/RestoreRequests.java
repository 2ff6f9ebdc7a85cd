package dev.cellar.server.restore;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cellar.server.http.ApiError;
import dev.cellar.server.restore.StoredRequest.Claim;
import dev.cellar.server.restore.StoredRequest.Result;
import dev.cellar.server.restore.StoredRequest.Spec;
import dev.cellar.server.snapshot.SnapshotPins;
import dev.cellar.server.storage.BlobPage;
import dev.cellar.server.storage.BlobStore;
import dev.cellar.server.tenant.TenantRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restore requests, kept in the bucket under {@code tenants/{t}/restores/{id}/} so every instance over the same
 * bucket sees the same requests. Each of a request's objects is written once with put-if-absent; the claim object
 * decides who owns a request, so of two machines (or a machine and a cancellation) exactly one wins.
 */
public final class RestoreRequests implements SnapshotPins {
    private static final Logger LOG = LoggerFactory.getLogger(RestoreRequests.class);
    private static final Pattern ID = Pattern.compile("r\\d{8}T\\d{9}Z-[0-9a-f]{6}");
    private static final DateTimeFormatter ID_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);
    private static final String REQUEST = "request.json";
    private static final String CLAIM = "claim.json";
    /** Renewals and takeovers of a claim: {@code claim-2.json}, {@code claim-3.json}, ... */
    private static final Pattern LATER_CLAIM = Pattern.compile("claim-(\\d{1,9})\\.json");
    private static final String RESULT = "result.json";

    private final BlobStore store;
    private final ObjectMapper json;
    private final Clock clock;
    private final Duration lease;
    private final SecureRandom random = new SecureRandom();

    /** @param lease how long a claim holds without renewal before another machine may take the request over */
    public RestoreRequests(BlobStore store, ObjectMapper json, Clock clock, Duration lease) {
        this.store = store;
        this.json = json;
        this.clock = clock;
        this.lease = lease;
    }

    public static boolean isValidId(String id) {
        return id != null && ID.matcher(id).matches();
    }

    /** Records a new pending request; older pending requests for the same database are cancelled by it. */
    public RestoreRequest create(String tenant, String database, String version, String requested, String machineId,
                                 boolean onlyIfMissing) {
        Spec spec;
        do {
            byte[] suffix = new byte[3];
            random.nextBytes(suffix);
            Instant now = clock.instant();
            String id = "r" + ID_TIME.format(now) + "-" + HexFormat.of().formatHex(suffix);
            spec = new Spec(id, tenant, database, version, requested, machineId, onlyIfMissing, now);
        } while (!store.putIfAbsent(key(tenant, spec.id(), REQUEST), write(spec)));
        for (RestoreRequest older : list(tenant, true)) {
            if (older.database().equals(database) && !older.id().equals(spec.id())) {
                store.putIfAbsent(key(tenant, older.id(), CLAIM),
                        write(new Claim(null, clock.instant(), "superseded by " + spec.id())));
            }
        }
        return StoredRequest.view(spec, null, null);
    }

    public Optional<RestoreRequest> find(String tenant, String id) {
        return view(tenant, id, objectNames(tenant, id));
    }

    /** The request as its objects (by name) make it; one read per object that matters. */
    private Optional<RestoreRequest> view(String tenant, String id, Set<String> names) {
        if (!names.contains(REQUEST)) {
            return Optional.empty();
        }
        return read(tenant, id, REQUEST, Spec.class).map(spec -> StoredRequest.view(spec,
                latestClaim(names).flatMap(name -> read(tenant, id, name, Claim.class)).orElse(null),
                names.contains(RESULT) ? read(tenant, id, RESULT, Result.class).orElse(null) : null));
    }

    /** The sequence number of the newest claim object, 0 when there is none. */
    private static int claimCount(Set<String> names) {
        int n = names.contains(CLAIM) ? 1 : 0;
        for (String name : names) {
            Matcher m = LATER_CLAIM.matcher(name);
            if (m.matches()) {
                n = Math.max(n, Integer.parseInt(m.group(1)));
            }
        }
        return n;
    }

    private static Optional<String> latestClaim(Set<String> names) {
        int n = claimCount(names);
        return n == 0 ? Optional.empty() : Optional.of(claimName(n));
    }

    private static String claimName(int n) {
        return n == 1 ? CLAIM : "claim-" + n + ".json";
    }

    /** The tenant's requests, oldest first; with {@code pendingOnly} only those nobody has claimed. */
    public List<RestoreRequest> list(String tenant, boolean pendingOnly) {
        return list(tenant, names -> !(pendingOnly && names.contains(CLAIM)));
    }

    /**
     * The requests whose objects (by name) pass {@code which}. The listing tells which of a request's objects exist,
     * so a request costs one read per object it has, and one that {@code which} leaves out costs none.
     */
    private List<RestoreRequest> list(String tenant, Predicate<Set<String>> which) {
        Map<String, Set<String>> objects = new TreeMap<>();
        String folder = folder(tenant);
        for (BlobPage.Entry e : store.listAll(folder)) {
            String[] parts = e.key().substring(folder.length()).split("/");
            if (parts.length == 2 && isValidId(parts[0])) {
                objects.computeIfAbsent(parts[0], k -> new TreeSet<>()).add(parts[1]);
            }
        }
        List<RestoreRequest> out = new ArrayList<>();
        objects.forEach((id, names) -> {
            if (which.test(names)) {
                view(tenant, id, names).ifPresent(out::add);
            }
        });
        return out;
    }

    /**
     * What a heartbeat from {@code machine} answers: the requests it may apply that have not ended — pending ones,
     * those it holds itself (it resumes them after a restart) and those whose holder let the lease lapse (it may
     * take them over); a request another machine holds under a valid lease is listed too, so that a machine whose
     * database is missing knows that it must not restore anything else meanwhile.
     */
    public List<RestoreRequest> open(String tenant, String machine) {
        return list(tenant, names -> !names.contains(RESULT)).stream()
                .filter(r -> (r.isPending() || r.isRunning()) && r.appliesTo(machine))
                .toList();
    }

    /** A snapshot that a pending or running request will restore must not be deleted under it. */
    @Override
    public Optional<String> pinned(String tenant, String database, String version) {
        return list(tenant, names -> !names.contains(RESULT)).stream()
                .filter(r -> !r.isFinished() && r.database().equals(database) && r.version().equals(version))
                .findFirst()
                .map(r -> "restore request " + r.id() + " (" + r.state() + ") restores this version; cancel it"
                        + " first (DELETE /api/v1/tenants/" + tenant + "/restores/" + r.id() + ")");
    }

    @Override
    public Set<String> pinnedVersions(String tenant, String database) {
        Set<String> out = new TreeSet<>();
        list(tenant, names -> !names.contains(RESULT)).stream()
                .filter(r -> !r.isFinished() && r.database().equals(database))
                .forEach(r -> out.add(r.version()));
        return out;
    }

    /**
     * Deletes the tenant's finished (completed, failed, cancelled) requests that ended before {@code cutoff}.
     * The request object goes first, so a request vanishes from every listing at once; deleting twice is harmless.
     *
     * @return how many requests were removed
     */
    public int removeFinishedBefore(String tenant, Instant cutoff) {
        int removed = 0;
        for (RestoreRequest r : list(tenant, names -> names.contains(CLAIM))) {
            if (r.isFinished() && r.finishedAt() != null && r.finishedAt().isBefore(cutoff)) {
                store.delete(key(tenant, r.id(), REQUEST));
                store.listAll(folder(tenant) + r.id() + "/").forEach(e -> store.delete(e.key()));
                removed++;
            }
        }
        return removed;
    }

    /**
     * Gives the request to {@code machine} under a lease: a new claim, a renewal by its holder, or a takeover of a
     * claim whose lease has lapsed. 409 if it is finished or cancelled, targets another machine, or another machine
     * holds it under a valid lease (or won a race for it).
     */
    public RestoreRequest claim(String tenant, String id, String machine) {
        // the claim written is the next after those seen here: put-if-absent refuses it if anyone wrote one since
        Set<String> names = objectNames(tenant, id);
        RestoreRequest request = view(tenant, id, names)
                .orElseThrow(() -> ApiError.notFound("no restore request " + id));
        if (request.isFinished()) {
            throw notPending(request);
        }
        if (!request.appliesTo(machine)) {
            throw ApiError.conflict("wrong_machine",
                    "restore request " + id + " is for machine " + request.machineId() + ", not " + machine);
        }
        Instant now = clock.instant();
        if (request.isRunning() && !machine.equals(request.claimedBy()) && now.isBefore(request.leaseExpiresAt())) {
            throw alreadyClaimed(request);
        }
        int next = claimCount(names) + 1;
        store.putIfAbsent(key(tenant, id, claimName(next)), write(new Claim(machine, now, null, now.plus(lease))));
        RestoreRequest after = require(tenant, id);
        if (!after.isRunning() || !machine.equals(after.claimedBy())) {
            throw after.isRunning() ? alreadyClaimed(after) : notPending(after);
        }
        if (request.isRunning() && !machine.equals(request.claimedBy())) {
            LOG.warn("event=restore.taken_over tenant={} id={} machine={} previous={} lapsed_at={}", tenant, id,
                    machine, request.claimedBy(), request.leaseExpiresAt());
        }
        return after;
    }

    private Set<String> objectNames(String tenant, String id) {
        Set<String> names = new TreeSet<>();
        String prefix = folder(tenant) + id + "/";
        store.listAll(prefix).forEach(e -> names.add(e.key().substring(prefix.length())));
        return names;
    }

    /** Records how applying the request went; the same report again is harmless, a different one is 409. */
    public RestoreRequest finish(String tenant, String id, String state, String message, String machine) {
        RestoreRequest request = require(tenant, id);
        if (request.isFinished()) {
            return sameOutcome(request, state, machine);
        }
        if (request.claimedBy() == null) {
            request = claim(tenant, id, machine);
        } else if (!request.claimedBy().equals(machine)) {
            throw alreadyClaimed(request);
        }
        store.putIfAbsent(key(tenant, id, RESULT), write(new Result(state, message, machine, clock.instant())));
        return sameOutcome(require(tenant, id), state, machine);
    }

    /**
     * Cancels a request: a pending one is never applied; a running one (its machine may have died) is closed, and
     * that machine's report is refused later. Finished requests are 409.
     */
    public RestoreRequest cancel(String tenant, String id, String reason) {
        RestoreRequest request = require(tenant, id);
        if (request.isPending()) {
            store.putIfAbsent(key(tenant, id, CLAIM), write(new Claim(null, clock.instant(), reason)));
        } else if (RestoreRequest.RUNNING.equals(request.state())) {
            store.putIfAbsent(key(tenant, id, RESULT), write(new Result(RestoreRequest.CANCELLED,
                    reason + " while machine " + request.claimedBy() + " was applying it", request.claimedBy(),
                    clock.instant())));
        } else {
            throw notPending(request);
        }
        RestoreRequest now = require(tenant, id);
        if (!RestoreRequest.CANCELLED.equals(now.state())) {
            throw notPending(now);
        }
        return now;
    }

    private RestoreRequest sameOutcome(RestoreRequest finished, String state, String machine) {
        if (state.equals(finished.state()) && machine.equals(finished.claimedBy())) {
            return finished;
        }
        throw ApiError.conflict("already_finished", "restore request " + finished.id() + " already ended "
                + finished.state() + (finished.claimedBy() == null ? "" : " on machine " + finished.claimedBy()));
    }

    private RestoreRequest require(String tenant, String id) {
        return find(tenant, id).orElseThrow(() -> ApiError.notFound("no restore request " + id));
    }

    private static ApiError notPending(RestoreRequest r) {
        return ApiError.conflict("not_pending", "restore request " + r.id() + " is " + r.state());
    }

    private static ApiError alreadyClaimed(RestoreRequest r) {
        return ApiError.conflict("already_claimed", "restore request " + r.id() + " is being applied by machine "
                + r.claimedBy() + " (its lease runs until " + r.leaseExpiresAt() + ")");
    }

    private static String folder(String tenant) {
        return TenantRegistry.folder(tenant) + "restores/";
    }

    private static String key(String tenant, String id, String name) {
        return folder(tenant) + id + "/" + name;
    }

    private byte[] write(Object value) {
        try {
            return json.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private <T> Optional<T> read(String tenant, String id, String name, Class<T> type) {
        return store.read(key(tenant, id, name)).map(bytes -> {
            try {
                return json.readValue(bytes, type);
            } catch (IOException e) {
                throw new UncheckedIOException("unreadable " + key(tenant, id, name), e);
            }
        });
    }
}
