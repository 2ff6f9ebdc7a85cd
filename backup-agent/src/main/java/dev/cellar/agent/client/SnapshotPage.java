package dev.cellar.agent.client;

import java.util.List;
import java.util.Optional;

/** One page of a snapshot listing, newest first; {@code next} is the cursor for the following page. */
public record SnapshotPage(List<SnapshotInfo> snapshots, Optional<String> next) {
}
