package dev.cellar.server.retention;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cellar.server.auth.Access;
import dev.cellar.server.http.ApiError;
import dev.cellar.server.http.JsonBody;
import dev.cellar.server.jobs.JobReport;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;

/** The admin's side of retention: a tenant's policy, and a run now (or a dry run). */
public final class RetentionHandlers {
    private final Access access;
    private final RetentionPolicies policies;
    private final RetentionRun run;
    private final ObjectMapper json;

    public RetentionHandlers(Access access, RetentionPolicies policies, RetentionRun run, ObjectMapper json) {
        this.access = access;
        this.policies = policies;
        this.run = run;
        this.json = json;
    }

    public void get(Context ctx) {
        String tenant = access.requireAdminOnTenant(ctx);
        ctx.json(policies.effective(tenant));
    }

    public void put(Context ctx) {
        String tenant = access.requireAdminOnTenant(ctx);
        JsonBody body = JsonBody.read(ctx, json, new HashSet<>(RetentionPolicy.FIELDS));
        int[] v = RetentionPolicy.FIELDS.stream()
                .mapToInt(f -> body.requiredWholeNumber(f, 0, RetentionPolicy.MAX_COUNT)).toArray();
        policies.put(tenant, new RetentionPolicy(v[0], v[1], v[2], v[3], v[4], v[5]));
        ctx.json(policies.effective(tenant));
    }

    public void delete(Context ctx) {
        String tenant = access.requireAdminOnTenant(ctx);
        policies.remove(tenant);
        ctx.json(policies.effective(tenant));
    }

    /**
     * Runs retention now and answers when done. The answer streams one database at a time, so a fleet-wide run
     * never holds the whole list: {@code {"dryRun": .., "databases": [..], "report": {..}}}.
     */
    public void run(Context ctx) throws IOException {
        access.requireAdmin(ctx);
        boolean dryRun = flag(ctx.queryParam("dryRun"));
        String tenant = ctx.queryParam("tenant") == null ? null : Access.name("tenant", ctx.queryParam("tenant"));
        ctx.status(200).contentType("application/json");
        // closed only on success: a run that fails before its first database is flushed still gets a clean error
        JsonGenerator out = json.getFactory().createGenerator(ctx.res().getOutputStream());
        out.writeStartObject();
        out.writeBooleanField("dryRun", dryRun);
        out.writeArrayFieldStart("databases");
        JobReport report = run.run(tenant, dryRun, outcome -> {
            try {
                json.writeValue(out, outcome);
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        out.writeEndArray();
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("outcome", report.outcome());
        summary.put("counts", report.counts());
        summary.put("errors", report.errors());
        out.writeObjectField("report", summary);
        out.writeEndObject();
        out.close();
    }

    static boolean flag(String value) {
        if (value == null || value.equals("false")) {
            return false;
        }
        if (value.equals("true")) {
            return true;
        }
        throw ApiError.badRequest("invalid_parameter", "dryRun must be true or false, got '" + value + "'");
    }
}
