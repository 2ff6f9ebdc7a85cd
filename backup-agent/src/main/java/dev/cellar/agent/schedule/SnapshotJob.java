package dev.cellar.agent.schedule;

import dev.cellar.agent.snapshot.SnapshotService;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;

/** The scheduled snapshot: a thin shell around {@link SnapshotService#runOnce()}, which logs its own outcome. */
@DisallowConcurrentExecution
public final class SnapshotJob implements Job {
    private final SnapshotService snapshots;

    public SnapshotJob(SnapshotService snapshots) {
        this.snapshots = snapshots;
    }

    @Override
    public void execute(JobExecutionContext context) throws JobExecutionException {
        try {
            snapshots.runOnce();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JobExecutionException("snapshot interrupted", e, false);
        }
    }
}
