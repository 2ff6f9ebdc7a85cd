package dev.cellar.server.auth;

import dev.cellar.core.Hex;
import dev.cellar.server.storage.BlobPage;
import dev.cellar.server.storage.BlobStore;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Admin page sessions as signed cookies: {@code <expires epoch s>.<nonce>.<hmac>}. Any instance with the same
 * {@code BACKUP_TOKEN_SECRET} and {@code BACKUP_ADMIN_TOKEN} accepts a session, so neither a restart nor a load
 * balancer signs anyone out; changing either secret ends every session at once. A sign-out is recorded in the
 * bucket (keyed by the nonce, never the cookie), so it holds on every instance until the session would have
 * expired anyway. The CSRF token of a session is derived from it, so forms need no server-side state either.
 */
public final class AdminSessions {
    public static final String COOKIE = "cellar_session";
    private static final String SIGNED_OUT = "admin/signed-out/";
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private final SecretKeySpec key;
    private final BlobStore store;
    private final Duration ttl;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    /** Sign-outs this instance already knows of, with their expiry: saves a bucket read per request. */
    private final Map<String, Instant> signedOut = new ConcurrentHashMap<>();

    /** One signed-in admin: {@code id} is the cookie value; {@code csrf} goes into every form. */
    public record Session(String id, String nonce, Instant expiresAt, String csrf) {
    }

    public AdminSessions(String adminToken, byte[] tokenSecret, BlobStore store, Duration ttl, Clock clock) {
        // bound to the admin token too: rotating it signs every session out
        byte[] derived = hmac(tokenSecret, "cellar admin session " + Hex.of(Hex.sha256()
                .digest(adminToken.getBytes(StandardCharsets.UTF_8))));
        this.key = new SecretKeySpec(derived, "HmacSHA256");
        this.store = store;
        this.ttl = ttl;
        this.clock = clock;
    }

    public Duration ttl() {
        return ttl;
    }

    /** A new session; the caller has checked the admin token. */
    public Session create() {
        byte[] bytes = new byte[18];
        random.nextBytes(bytes);
        String nonce = B64.encodeToString(bytes);
        long expires = clock.instant().plus(ttl).getEpochSecond();
        String body = expires + "." + nonce;
        return session(body + "." + sign("session." + body), nonce, expires);
    }

    /** The session a cookie value stands for, when it is genuine, unexpired and not signed out. */
    public Optional<Session> verify(String cookie) {
        if (cookie == null) {
            return Optional.empty();
        }
        String[] parts = cookie.split("\\.");
        if (parts.length != 3 || !parts[0].matches("\\d{1,12}") || !parts[1].matches("[A-Za-z0-9_-]{24}")) {
            return Optional.empty();
        }
        String body = parts[0] + "." + parts[1];
        if (!equal(sign("session." + body), parts[2])) {
            return Optional.empty();
        }
        long expires = Long.parseLong(parts[0]);
        if (!clock.instant().isBefore(Instant.ofEpochSecond(expires)) || isSignedOut(parts[1])) {
            return Optional.empty();
        }
        return Optional.of(session(cookie, parts[1], expires));
    }

    /** Whether {@code submitted} is the CSRF token of {@code session}, compared in constant time. */
    public static boolean csrfMatches(Session session, String submitted) {
        return submitted != null && equal(session.csrf(), submitted);
    }

    /**
     * Ends a session on every instance. Records of sign-outs whose sessions have expired since are removed on the
     * way: an expired cookie is refused on its own, so they would only pile up.
     */
    public void signOut(Session session) {
        signedOut.put(session.nonce(), session.expiresAt());
        store.put(SIGNED_OUT + session.nonce(), session.expiresAt().toString().getBytes(StandardCharsets.UTF_8));
        Instant now = clock.instant();
        signedOut.values().removeIf(expiry -> expiry.isBefore(now));
        for (BlobPage.Entry e : store.listAll(SIGNED_OUT)) {
            store.read(e.key()).map(b -> new String(b, StandardCharsets.UTF_8)).map(AdminSessions::instant)
                    .filter(expiry -> !expiry.isAfter(now)).ifPresent(expired -> store.delete(e.key()));
        }
    }

    private static Instant instant(String text) {
        try {
            return Instant.parse(text.trim());
        } catch (java.time.DateTimeException e) {
            return null; // unreadable: left alone
        }
    }

    private boolean isSignedOut(String nonce) {
        if (signedOut.containsKey(nonce)) {
            return true;
        }
        return store.size(SIGNED_OUT + nonce).isPresent();
    }

    private Session session(String id, String nonce, long expires) {
        return new Session(id, nonce, Instant.ofEpochSecond(expires), sign("csrf." + nonce));
    }

    private String sign(String text) {
        return B64.encodeToString(hmac(key.getEncoded(), text));
    }

    private static boolean equal(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] hmac(byte[] key, String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
