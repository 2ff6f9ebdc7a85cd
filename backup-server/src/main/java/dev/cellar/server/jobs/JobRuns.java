package dev.cellar.server.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cellar.server.storage.BlobPage;
import dev.cellar.server.storage.BlobStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runs of each job, kept in the bucket so a rebuilt server still shows them:
 * {@code jobs/{job}/runs/{13-digit inverted start millis}_{random}.json}. Inverted time makes the ascending listing
 * newest first, so the last run is one LIST of one key. Each run is its own object, written once with put-if-absent:
 * two instances recording at the same moment both keep theirs and neither can damage the other's. Runs older than
 * {@link #HISTORY} are pruned whenever a newer one is recorded.
 */
public final class JobRuns {
    public static final String ROOT = "jobs/";
    static final Duration HISTORY = Duration.ofDays(30);
    private static final Logger log = LoggerFactory.getLogger(JobRuns.class);
    private static final long INVERT_FROM = 9_999_999_999_999L;
    private final BlobStore store;
    private final ObjectMapper json;

    public JobRuns(BlobStore store, ObjectMapper json) {
        this.store = store;
        this.json = json;
    }

    /** The folder holding a job's runs. */
    public static String folder(String job) {
        return ROOT + job + "/runs/";
    }

    public void record(JobRun run) {
        String key = folder(run.job()) + inverted(run.startedAt()) + "_"
                + UUID.randomUUID().toString().substring(0, 8) + ".json";
        try {
            store.putIfAbsent(key, json.writeValueAsBytes(run));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        prune(run.job(), run.startedAt().minus(HISTORY));
    }

    public Optional<JobRun> last(String job) {
        return recent(job, 1).stream().findFirst();
    }

    /** Up to {@code limit} (1..1000) runs of a job, newest first. */
    public List<JobRun> recent(String job, int limit) {
        List<JobRun> runs = new ArrayList<>();
        for (BlobPage.Entry e : store.list(folder(job), null, limit).entries()) {
            store.read(e.key()).flatMap(bytes -> parse(e.key(), bytes)).ifPresent(runs::add);
        }
        return runs;
    }

    /** Deletes the runs started before {@code cutoff}, a page at a time; the newer ones are never listed. */
    private void prune(String job, Instant cutoff) {
        String older = folder(job) + inverted(cutoff) + "~";
        BlobPage page;
        do {
            page = store.list(folder(job), older, 1000);
            page.entries().forEach(e -> store.delete(e.key()));
        } while (page.truncated());
    }

    private Optional<JobRun> parse(String key, byte[] bytes) {
        try {
            return Optional.of(json.readValue(bytes, JobRun.class));
        } catch (IOException e) {
            log.warn("event=job.unreadable_run key={} error={}", key, e.getMessage());
            return Optional.empty();
        }
    }

    private static String inverted(Instant at) {
        return String.format("%013d", INVERT_FROM - at.toEpochMilli());
    }
}
