package dev.cellar.server.drill;

import dev.cellar.server.auth.Access;
import dev.cellar.server.jobs.JobReport;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The admin's "drill now": runs the drills and answers when they are done, with every verdict recorded. */
public final class DrillHandlers {
    private final Access access;
    private final DrillRun run;

    public DrillHandlers(Access access, DrillRun run) {
        this.access = access;
        this.run = run;
    }

    public void run(Context ctx) {
        access.requireAdmin(ctx);
        String tenant = ctx.queryParam("tenant") == null ? null : Access.name("tenant", ctx.queryParam("tenant"));
        List<DrillRun.Result> drilled = new ArrayList<>();
        JobReport report = run.run(tenant, drilled::add);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("drilled", drilled);
        body.put("report", Map.of("outcome", report.outcome(), "counts", report.counts(), "errors", report.errors()));
        ctx.json(body);
    }
}
