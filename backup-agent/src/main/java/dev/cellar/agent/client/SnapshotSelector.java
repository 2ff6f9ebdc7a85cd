package dev.cellar.agent.client;

import dev.cellar.core.SnapshotVersion;
import java.time.Instant;
import java.util.Optional;

/** Which snapshot to fetch: a pinned version, the latest, or the latest at or before an instant. */
public record SnapshotSelector(Optional<String> version, Optional<Instant> at) {
    public static SnapshotSelector latest() {
        return new SnapshotSelector(Optional.empty(), Optional.empty());
    }

    public static SnapshotSelector version(String version) {
        if (SnapshotVersion.parse(version).isEmpty()) {
            throw new IllegalArgumentException("'" + version + "' is not a snapshot version"
                    + " (yyyyMMddTHHmmssSSSZ-<8 hex>)");
        }
        return new SnapshotSelector(Optional.of(version), Optional.empty());
    }

    public static SnapshotSelector latestAt(Instant at) {
        return new SnapshotSelector(Optional.empty(), Optional.of(at));
    }

    @Override
    public String toString() {
        return version.orElseGet(() -> at.map(a -> "latest at " + a).orElse("latest"));
    }
}
