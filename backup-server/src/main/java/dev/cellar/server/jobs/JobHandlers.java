package dev.cellar.server.jobs;

import dev.cellar.server.auth.Access;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The admin's view of the nightly jobs and its "run now". */
public final class JobHandlers {
    private final Access access;
    private final JobRunner runner;
    private final NightlyScheduler scheduler;

    public JobHandlers(Access access, JobRunner runner, NightlyScheduler scheduler) {
        this.access = access;
        this.runner = runner;
        this.scheduler = scheduler;
    }

    public void list(Context ctx) {
        access.requireAdmin(ctx);
        Instant next = scheduler.nextFireAt().orElse(null);
        List<Map<String, Object>> jobs = new ArrayList<>();
        for (String name : runner.names()) {
            Map<String, Object> job = new LinkedHashMap<>();
            job.put("name", name);
            job.put("nextFireAt", next); // one firing runs the whole chain, in order
            job.put("lastRun", runner.runs().last(name).orElse(null));
            jobs.add(job);
        }
        Map<String, Object> schedule = new LinkedHashMap<>();
        schedule.put("cron", scheduler.settings().cron());
        schedule.put("timeZone", "UTC");
        schedule.put("nextFireAt", next);
        schedule.put("clustered", scheduler.settings().clustered());
        schedule.put("instance", scheduler.settings().instanceId());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("schedule", schedule);
        body.put("jobs", jobs);
        ctx.json(body);
    }

    public void run(Context ctx) {
        access.requireAdmin(ctx);
        ctx.json(runner.runNow(ctx.pathParam("name")));
    }
}
