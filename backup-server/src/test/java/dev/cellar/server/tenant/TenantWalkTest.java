package dev.cellar.server.tenant;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cellar.server.storage.BlobStore;
import dev.cellar.server.storage.local.LocalBlobStore;
import dev.cellar.server.storage.s3.S3BlobStore;
import dev.cellar.server.testing.S3ProxyFixture;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fleet walk visits every tenant once, in name order, whatever objects each tenant holds. */
class TenantWalkTest {
    @TempDir
    Path dir;

    private static List<String> walk(BlobStore store) {
        // names chosen around '/': "t-x" sorts before "t", "t0" and "t_" after it
        for (String key : List.of("tenants/t/tenant.json", "tenants/t/databases/app/index/x", "tenants/t/zzz",
                "tenants/t-x/tenant.json", "tenants/t0/machines/m.json", "tenants/t_/restores/r/request.json",
                "tenants/A/tenant.json", "tenants/stray.txt", "jobs/stale/runs/x.json")) {
            store.put(key, new byte[1]);
        }
        List<String> seen = new ArrayList<>();
        new TenantWalk(store).forEach(seen::add);
        return seen;
    }

    @Test
    void localFiles() {
        try (BlobStore store = new LocalBlobStore(dir)) {
            assertEquals(List.of("A", "t-x", "t", "t0", "t_"), walk(store));
        }
    }

    @Test
    void s3Bucket() {
        try (S3ProxyFixture s3 = S3ProxyFixture.start();
             BlobStore store = S3BlobStore.connect(s3.storeSettings().withPrefix("w-" + UUID.randomUUID() + "/"))) {
            assertEquals(List.of("A", "t-x", "t", "t0", "t_"), walk(store));
        }
    }

    @Test
    void anEmptyStoreHasNoTenants() {
        try (BlobStore store = new LocalBlobStore(dir)) {
            List<String> seen = new ArrayList<>();
            new TenantWalk(store).forEach(seen::add);
            assertEquals(List.of(), seen);
        }
    }
}
