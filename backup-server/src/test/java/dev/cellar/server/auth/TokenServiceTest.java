package dev.cellar.server.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cellar.server.http.Json;
import dev.cellar.server.storage.BlobStore;
import dev.cellar.server.storage.local.LocalBlobStore;
import dev.cellar.server.tenant.TenantRegistry;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a token check costs the store: local files, every read counted. */
class TokenServiceTest {
    @TempDir
    Path dir;

    @Test
    void aTokenJustMintedIsCheckedWithoutReadingTheTenantsRecordAgain() {
        AtomicInteger reads = new AtomicInteger();
        try (LocalBlobStore real = new LocalBlobStore(dir)) {
            BlobStore counted = (BlobStore) Proxy.newProxyInstance(BlobStore.class.getClassLoader(),
                    new Class<?>[] {BlobStore.class}, (proxy, method, args) -> {
                        if (method.getName().equals("read")) {
                            reads.incrementAndGet();
                        }
                        try {
                            return method.invoke(real, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
            TokenService tokens = new TokenService("admin-token-0123456789abcdef0123456789",
                    "s".repeat(32).getBytes(StandardCharsets.UTF_8),
                    new TenantRegistry(counted, Json.mapper(), Clock.systemUTC()), Duration.ofMinutes(5),
                    Clock.systemUTC());
            String token = tokens.mint("acme");
            int afterMint = reads.get();

            assertEquals(new Principal.Tenant("acme"), tokens.authenticate("Bearer " + token));
            assertEquals(afterMint, reads.get(), "the check read the store");
        }
    }
}
