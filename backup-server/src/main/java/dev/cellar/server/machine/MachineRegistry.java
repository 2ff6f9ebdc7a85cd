package dev.cellar.server.machine;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cellar.server.http.ApiError;
import dev.cellar.server.storage.BlobPage;
import dev.cellar.server.storage.BlobStore;
import dev.cellar.server.tenant.TenantRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The machines a tenant's agents heartbeat from, one small object each. Only that machine's agent writes its
 * object, so a read-then-write keeps {@code firstSeenAt} without racing anyone.
 */
public final class MachineRegistry {
    public static final int DEFAULT_MAX_PER_TENANT = 100;
    private static final Logger log = LoggerFactory.getLogger(MachineRegistry.class);
    private final BlobStore store;
    private final ObjectMapper json;
    private final Clock clock;
    private final int maxPerTenant;

    public MachineRegistry(BlobStore store, ObjectMapper json, Clock clock) {
        this(store, json, clock, DEFAULT_MAX_PER_TENANT);
    }

    /**
     * @param maxPerTenant how many machines one tenant may have on record: each record is read by the tenant's
     *                     overview, and a token can invent machine ids ({@code BACKUP_MAX_MACHINES_PER_TENANT})
     */
    public MachineRegistry(BlobStore store, ObjectMapper json, Clock clock, int maxPerTenant) {
        this.store = store;
        this.json = json;
        this.clock = clock;
        this.maxPerTenant = maxPerTenant;
    }

    /** A heartbeat that names its databases only, as older agents send it. */
    public MachineRecord heartbeat(String tenant, String machine, String region, String agentVersion,
                                   List<String> databases) {
        return heartbeat(tenant, machine, region, agentVersion,
                databases.stream().map(DatabaseReport::ofName).toList(), List.of(), false);
    }

    /**
     * Records a heartbeat. Each database's failure count carries on from this machine's previous report of it
     * ({@link DatabaseReport#countedAfter}).
     *
     * @param skippedVersions versions the agent's boot restores skipped because they failed verification
     * @param stopping        the agent's final heartbeat at shutdown
     */
    public MachineRecord heartbeat(String tenant, String machine, String region, String agentVersion,
                                   List<DatabaseReport> databases, List<SkippedVersion> skippedVersions,
                                   boolean stopping) {
        String key = key(tenant, machine);
        var now = clock.instant();
        Optional<byte[]> known = store.read(key);
        if (known.isEmpty()) {
            requireRoom(tenant, machine);
        }
        Optional<MachineRecord> previous = known.flatMap(this::parse);
        var first = previous.map(MachineRecord::firstSeenAt).orElse(now);
        List<DatabaseReport> counted = databases.stream()
                .map(d -> d.countedAfter(previous.flatMap(p -> p.report(d.name())).orElse(null)))
                .toList();
        MachineRecord record = new MachineRecord(machine, region, agentVersion, counted, first, now,
                skippedVersions, stopping);
        try {
            store.put(key, json.writeValueAsBytes(record));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return record;
    }

    /**
     * A new machine is recorded only below the cap. Two new machines at once may both pass and end one over it:
     * the cap bounds growth, it is not an exact count.
     */
    private void requireRoom(String tenant, String machine) {
        int recorded = store.listAll(folder(tenant)).size();
        if (recorded >= maxPerTenant) {
            log.warn("event=machine.refused tenant={} machine={} recorded={}", tenant, machine, recorded);
            throw ApiError.conflict("too_many_machines", "tenant " + tenant + " already has " + recorded
                    + " machines on record, the most one tenant may have (BACKUP_MAX_MACHINES_PER_TENANT);"
                    + " machines silent for 30 days are forgotten by the nightly housekeeping");
        }
    }

    /** Every machine that ever sent a heartbeat for the tenant. */
    public List<MachineRecord> list(String tenant) {
        List<MachineRecord> out = new ArrayList<>();
        for (BlobPage.Entry e : store.listAll(folder(tenant))) {
            store.read(e.key()).flatMap(this::parse).ifPresent(out::add);
        }
        return out;
    }

    /**
     * Forgets the tenant's machines that sent no heartbeat since {@code cutoff}. A machine that comes back simply
     * heartbeats again and is recorded anew.
     *
     * @return how many machine records were removed
     */
    public int removeSilentBefore(String tenant, Instant cutoff) {
        int removed = 0;
        for (MachineRecord m : list(tenant)) {
            String key = key(tenant, m.machineId());
            // read again right before deleting: a heartbeat may have arrived since the listing
            boolean silent = store.read(key).flatMap(this::parse)
                    .map(now -> now.lastSeenAt() == null || now.lastSeenAt().isBefore(cutoff)).orElse(false);
            if (silent) {
                store.delete(key);
                removed++;
            }
        }
        return removed;
    }

    private Optional<MachineRecord> parse(byte[] bytes) {
        try {
            return Optional.of(json.readValue(bytes, MachineRecord.class));
        } catch (IOException e) {
            log.warn("event=machine.unreadable_record error={}", e.getMessage());
            return Optional.empty();
        }
    }

    private static String folder(String tenant) {
        return TenantRegistry.folder(tenant) + "machines/";
    }

    private static String key(String tenant, String machine) {
        return folder(tenant) + machine + ".json";
    }
}
