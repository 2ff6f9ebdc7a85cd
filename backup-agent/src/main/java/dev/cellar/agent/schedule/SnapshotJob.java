package dev.cellar.agent.schedule;

import dev.cellar.agent.snapshot.SnapshotService;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.InterruptableJob;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;

/**
 * The scheduled snapshot: a thin shell around {@link SnapshotService#runOnce()}, which logs its own outcome. On
 * shutdown it is interrupted (a retry's wait ends at once), so that the last snapshot does not wait behind it.
 */
@DisallowConcurrentExecution
public final class SnapshotJob implements InterruptableJob {
    private final SnapshotService snapshots;
    private volatile Thread running;

    public SnapshotJob(SnapshotService snapshots) {
        this.snapshots = snapshots;
    }

    @Override
    public void execute(JobExecutionContext context) throws JobExecutionException {
        running = Thread.currentThread();
        try {
            snapshots.runOnce();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JobExecutionException("snapshot interrupted", e, false);
        } finally {
            running = null;
        }
    }

    @Override
    public void interrupt() {
        Thread t = running;
        if (t != null) {
            t.interrupt();
        }
    }
}
