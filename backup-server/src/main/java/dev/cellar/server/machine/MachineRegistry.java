package dev.cellar.server.machine;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cellar.server.storage.BlobPage;
import dev.cellar.server.storage.BlobStore;
import dev.cellar.server.tenant.TenantRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
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
    private static final Logger log = LoggerFactory.getLogger(MachineRegistry.class);
    private final BlobStore store;
    private final ObjectMapper json;
    private final Clock clock;

    public MachineRegistry(BlobStore store, ObjectMapper json, Clock clock) {
        this.store = store;
        this.json = json;
        this.clock = clock;
    }

    public MachineRecord heartbeat(String tenant, String machine, String region, String agentVersion,
                                   List<String> databases, List<SkippedVersion> skippedVersions) {
        String key = key(tenant, machine);
        var now = clock.instant();
        var first = store.read(key).flatMap(this::parse).map(MachineRecord::firstSeenAt).orElse(now);
        MachineRecord record = new MachineRecord(machine, region, agentVersion, List.copyOf(databases), first, now,
                skippedVersions);
        try {
            store.put(key, json.writeValueAsBytes(record));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return record;
    }

    /** Every machine that ever sent a heartbeat for the tenant. */
    public List<MachineRecord> list(String tenant) {
        List<MachineRecord> out = new ArrayList<>();
        for (BlobPage.Entry e : store.listAll(folder(tenant))) {
            store.read(e.key()).flatMap(this::parse).ifPresent(out::add);
        }
        return out;
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
