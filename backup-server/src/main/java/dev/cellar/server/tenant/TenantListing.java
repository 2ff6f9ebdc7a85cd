package dev.cellar.server.tenant;

import dev.cellar.server.auth.Access;
import dev.cellar.server.http.ApiError;
import dev.cellar.server.status.DatabaseStatus;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One page of {@code GET /api/v1/tenants}: tenants in name order after an opaque cursor, optionally only those with
 * a database in one of the asked statuses. A page examines a bounded number of tenants (each costs a few small
 * reads), so a fleet of thousands is read one cheap call at a time; with a filter a page can hold fewer tenants than
 * {@code limit}, even none, and still have a {@code next} cursor.
 */
final class TenantListing {
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;
    /** A filtered page examines up to this many times {@code limit} tenants. */
    static final int FILTER_SCAN_FACTOR = 4;
    private static final String CURSOR_PREFIX = "t1:";
    private static final Set<String> STATUSES = Set.of(DatabaseStatus.NEVER, DatabaseStatus.OK, DatabaseStatus.STALE,
            DatabaseStatus.FAILING);

    /** The parameters of one request, checked. */
    record Query(int limit, Optional<String> after, Set<String> statuses) {
        int scan() {
            return statuses.isEmpty() ? limit : Math.min(MAX_LIMIT, limit * FILTER_SCAN_FACTOR);
        }

        boolean accepts(TenantOverview.TenantSummary t) {
            if (statuses.isEmpty()) {
                return true;
            }
            if (t.databases().isEmpty()) {
                return statuses.contains(DatabaseStatus.NEVER);
            }
            return t.databases().stream().anyMatch(d -> statuses.contains(d.status()));
        }
    }

    /** A page and the cursor of the next one (null after the last). */
    record Page(List<TenantOverview.TenantSummary> tenants, String next) {
    }

    private TenantListing() {
    }

    static Query query(String limit, String cursor, String status) {
        Optional<String> after = cursor == null || cursor.isEmpty() ? Optional.empty() : Optional.of(after(cursor));
        return new Query(limit(limit), after, statuses(status));
    }

    static Page page(Query q, TenantWalk walk, TenantOverview overview) {
        List<TenantOverview.TenantSummary> out = new ArrayList<>();
        String last = q.after().orElse(null);
        int examined = 0;
        while (examined < q.scan() && out.size() < q.limit()) {
            Optional<String> tenant = walk.next(last);
            if (tenant.isEmpty()) {
                return new Page(out, null);
            }
            last = tenant.get();
            examined++;
            overview.summary(last).filter(q::accepts).ifPresent(out::add);
        }
        // a next page exists unless the walk ends here: one more LIST of one key tells
        return new Page(out, walk.next(last).isPresent() ? cursor(last) : null);
    }

    static String cursor(String lastTenant) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((CURSOR_PREFIX + lastTenant).getBytes(StandardCharsets.UTF_8));
    }

    private static String after(String cursor) {
        String decoded;
        try {
            decoded = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw badCursor();
        }
        if (!decoded.startsWith(CURSOR_PREFIX)) {
            throw badCursor();
        }
        String tenant = decoded.substring(CURSOR_PREFIX.length());
        try {
            return Access.name("cursor", tenant);
        } catch (ApiError e) {
            throw badCursor();
        }
    }

    private static ApiError badCursor() {
        return ApiError.badRequest("invalid_parameter", "cursor is not one this server handed out; start without"
                + " it, or pass the 'next' of the previous page as it is");
    }

    private static int limit(String value) {
        if (value == null || value.isEmpty()) {
            return DEFAULT_LIMIT;
        }
        try {
            int n = Integer.parseInt(value);
            if (n >= 1 && n <= MAX_LIMIT) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiError.badRequest("invalid_parameter", "limit must be a whole number from 1 to " + MAX_LIMIT
                + ", got '" + value + "'");
    }

    private static Set<String> statuses(String value) {
        Set<String> out = new LinkedHashSet<>();
        if (value == null || value.isEmpty()) {
            return out;
        }
        for (String s : value.split(",", -1)) {
            if (!STATUSES.contains(s.trim())) {
                throw ApiError.badRequest("invalid_parameter", "status must be a comma-separated list of never,"
                        + " ok, stale, failing; got '" + value + "'");
            }
            out.add(s.trim());
        }
        return out;
    }
}
