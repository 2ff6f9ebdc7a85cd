package dev.cellar.server.machine;

/**
 * A snapshot version the machine's agent passed over when it restored a missing database at boot, because it failed
 * verification (or a drill had found it damaged), as its heartbeats report it.
 */
public record SkippedVersion(String database, String version, String reason) {
}
