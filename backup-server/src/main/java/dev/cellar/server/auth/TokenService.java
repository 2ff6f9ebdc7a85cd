package dev.cellar.server.auth;

import dev.cellar.core.Hex;
import dev.cellar.core.Names;
import dev.cellar.server.http.ApiError;
import dev.cellar.server.tenant.TenantRegistry;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Admin and tenant tokens. A tenant token is {@code cellar.<tenant>.<generation>.<nonce>.<hmac>}: any instance
 * with the same {@code BACKUP_TOKEN_SECRET} can check it without shared state, and revocation moves the tenant's
 * generation on in the bucket. Generations are cached for {@code cacheTtl}, so a revocation reaches the other
 * instances within that time (at once on the instance that revoked). Tokens are compared in constant time and
 * never logged.
 */
public final class TokenService {
    private static final String PREFIX = "cellar";
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private final byte[] adminDigest;
    private final SecretKeySpec key;
    private final TenantRegistry tenants;
    private final Duration cacheTtl;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Cached> generations = new ConcurrentHashMap<>();

    private record Cached(long generation, Instant until) {
    }

    public TokenService(String adminToken, byte[] secret, TenantRegistry tenants, Duration cacheTtl, Clock clock) {
        this.adminDigest = sha256(adminToken);
        this.key = new SecretKeySpec(secret, "HmacSHA256");
        this.tenants = tenants;
        this.cacheTtl = cacheTtl;
        this.clock = clock;
    }

    /** Mints a token for one tenant, registering the tenant when it is new. */
    public String mint(String tenant) {
        long generation = tenants.ensure(tenant).tokenGeneration();
        // just read (or written): the token's first use need not read the tenant's record again
        generations.put(tenant, new Cached(generation, clock.instant().plus(cacheTtl)));
        byte[] nonce = new byte[18];
        random.nextBytes(nonce);
        String body = PREFIX + "." + tenant + "." + generation + "." + B64.encodeToString(nonce);
        return body + "." + mac(body);
    }

    /** Revokes every token of the tenant minted so far. */
    public void revokeAll(String tenant) {
        long generation = tenants.nextTokenGeneration(tenant).tokenGeneration();
        generations.put(tenant, new Cached(generation, clock.instant().plus(cacheTtl)));
    }

    /**
     * @param authorization the {@code Authorization} header, possibly null
     * @throws ApiError 401 when it is missing, malformed, forged or revoked
     */
    public Principal authenticate(String authorization) {
        if (authorization == null || authorization.isBlank()) {
            throw ApiError.unauthorized("missing Authorization: Bearer <token> header");
        }
        if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw ApiError.unauthorized("the Authorization header must be 'Bearer <token>'");
        }
        String token = authorization.substring(7).trim();
        if (MessageDigest.isEqual(adminDigest, sha256(token))) {
            return new Principal.Admin();
        }
        String[] parts = token.split("\\.");
        if (parts.length != 5 || !PREFIX.equals(parts[0]) || !Names.isValid(parts[1]) || !parts[2].matches("\\d{1,18}")) {
            throw ApiError.unauthorized("invalid token");
        }
        String body = token.substring(0, token.lastIndexOf('.'));
        if (!MessageDigest.isEqual(mac(body).getBytes(StandardCharsets.US_ASCII),
                parts[4].getBytes(StandardCharsets.US_ASCII))) {
            throw ApiError.unauthorized("invalid token");
        }
        if (Long.parseLong(parts[2]) != generation(parts[1])) {
            throw ApiError.unauthorized("this token was revoked");
        }
        return new Principal.Tenant(parts[1]);
    }

    private long generation(String tenant) {
        Instant now = clock.instant();
        Cached cached = generations.get(tenant);
        if (cached != null && now.isBefore(cached.until())) {
            return cached.generation();
        }
        long generation = tenants.find(tenant).map(r -> r.tokenGeneration()).orElse(0L);
        generations.put(tenant, new Cached(generation, now.plus(cacheTtl)));
        return generation;
    }

    private String mac(String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return B64.encodeToString(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    private static byte[] sha256(String s) {
        return Hex.sha256().digest(s.getBytes(StandardCharsets.UTF_8));
    }
}
