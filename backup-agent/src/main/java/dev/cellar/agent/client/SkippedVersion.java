package dev.cellar.agent.client;

/**
 * A snapshot version a boot restore passed over because it failed verification (or a drill had found it damaged),
 * as heartbeats report it to the server ({@code skippedVersions}).
 *
 * @param reason what was wrong with it, in words
 */
public record SkippedVersion(String database, String version, String reason) {
    /** The server takes short reasons on one line; the log line has the whole text. */
    public static final int MAX_REASON = 300;

    public SkippedVersion {
        reason = reason.replaceAll("[\\p{Cntrl}\\x{80}-\\x{9f}]+", " "); // integrity_check's findings come one per line
        reason = reason.length() > MAX_REASON ? reason.substring(0, MAX_REASON - 3) + "..." : reason;
    }
}
