package dev.cellar.server.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cellar.server.http.ApiError;
import dev.cellar.server.http.Json;
import dev.cellar.server.storage.local.LocalBlobStore;
import dev.cellar.server.tenant.TenantRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Coverage-guided fuzzing of {@code Authorization} parsing against a real token service over local storage. A
 * header is either the admin token, exactly a minted tenant token, or a 401: never another tenant, never a 500.
 */
class TokenFuzzTest {
    private static final String ADMIN = "admin-token-for-fuzzing-0123456789abcdef";
    private static LocalBlobStore store;
    private static TokenService tokens;
    private static String minted;

    @BeforeAll
    static void start() throws IOException {
        store = new LocalBlobStore(Files.createTempDirectory("cellar-token-fuzz"));
        TenantRegistry tenants = new TenantRegistry(store, Json.mapper(), Clock.systemUTC());
        tokens = new TokenService(ADMIN, "s".repeat(32).getBytes(StandardCharsets.UTF_8), tenants,
                Duration.ofMinutes(5), Clock.systemUTC());
        minted = tokens.mint("acme");
    }

    @AfterAll
    static void stop() {
        store.close();
    }

    @FuzzTest(maxDuration = "2m")
    void onlyTheExactTokenAuthenticates(FuzzedDataProvider data) {
        // half the inputs start from the real token so the fuzzer mutates near the valid shape
        String header = switch (data.consumeInt(0, 2)) {
            case 0 -> data.consumeRemainingAsString();
            case 1 -> "Bearer " + minted.substring(0, data.consumeInt(0, minted.length()))
                    + data.consumeRemainingAsString();
            default -> "Bearer " + mutate(minted, data);
        };
        Principal who;
        try {
            who = tokens.authenticate(header);
        } catch (ApiError e) {
            assertEquals(401, e.status(), header);
            assertEquals("unauthorized", e.code());
            return;
        }
        String token = header.substring(7).trim();
        if (who instanceof Principal.Admin) {
            assertEquals(ADMIN, token);
        } else if (who instanceof Principal.Tenant t) {
            assertEquals("acme", t.name());
            assertEquals(minted, token, "a token that is not the minted one authenticated");
        } else {
            fail("unknown principal " + who);
        }
        assertTrue(header.regionMatches(true, 0, "Bearer ", 0, 7));
    }

    private static String mutate(String token, FuzzedDataProvider data) {
        char[] chars = token.toCharArray();
        int changes = data.consumeInt(1, 4);
        for (int i = 0; i < changes && data.remainingBytes() > 0; i++) {
            chars[data.consumeInt(0, chars.length - 1)] = data.consumeChar();
        }
        return new String(chars);
    }
}
