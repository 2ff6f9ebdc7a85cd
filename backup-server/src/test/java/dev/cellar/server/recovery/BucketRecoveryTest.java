package dev.cellar.server.recovery;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellar.core.Hex;
import dev.cellar.core.SqliteChecks;
import dev.cellar.core.Zstd;
import dev.cellar.server.testing.Api;
import dev.cellar.server.testing.S3ProxyFixture;
import dev.cellar.server.testing.TestDatabases;
import dev.cellar.server.testing.TestServer;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * docs/storage.md's "Recovery without a server", done exactly as written but with plain HTTP: with no Cellar
 * server running, list a database's index in the bucket (ListObjectsV2, what {@code aws s3api list-objects-v2}
 * sends), read the newest version and its SHA-256 from the key, GET the snapshot object (what {@code aws s3 cp}
 * sends), {@code zstd -d} it, check the digest and {@code PRAGMA integrity_check}. Requests are signed with the
 * AWS SDK's SigV4 signer: S3Proxy checks every signature, as a real store does.
 */
class BucketRecoveryTest {
    private static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private static final Pattern KEY = Pattern.compile("<Key>([^<]+)</Key>");

    @TempDir
    Path dir;

    @Test
    void theNewestSnapshotIsListedDownloadedAndDecompressedStraightFromTheBucket() throws Exception {
        try (S3ProxyFixture s3 = S3ProxyFixture.start()) {
            String older;
            String newer;
            try (TestServer server = TestServer.startOn(s3, Map.of("BACKUP_S3_PREFIX", "prod/"))) {
                Api api = new Api(server);
                String token = server.mintToken("acme");
                older = api.upload("acme", "app", token, "m1", dir, 50, 1);
                newer = api.upload("acme", "app", token, "m1", dir, 80, 2);
            } // no server from here on
            Path expected = dir.resolve("acme-app-2.sqlite3"); // what the second upload sent

            // 1. list: aws s3api list-objects-v2 --bucket B --prefix prod/tenants/acme/databases/app/index/
            String listing = get(s3, "/" + s3.bucket() + "?list-type=2&prefix="
                    + URLEncoder.encode("prod/tenants/acme/databases/app/index/", StandardCharsets.UTF_8));
            List<String> keys = new ArrayList<>();
            Matcher m = KEY.matcher(listing);
            while (m.find()) {
                keys.add(m.group(1));
            }
            assertEquals(2, keys.size(), listing);
            // newest first: the name is {inverted millis}_{version}_{size}_{stored}_{sha256}_{machine}
            String[] newest = keys.get(0).substring(keys.get(0).lastIndexOf('/') + 1).split("_", 6);
            assertEquals(newer, newest[1]);
            assertEquals(older, keys.get(1).substring(keys.get(1).lastIndexOf('/') + 1).split("_", 6)[1]);
            String sha256 = newest[4];

            // 2. download and decompress: aws s3 cp s3://B/prod/tenants/acme/databases/app/snapshots/V.sqlite.zst - | zstd -d
            byte[] stored = getBytes(s3, "/" + s3.bucket() + "/prod/tenants/acme/databases/app/snapshots/" + newest[1]
                    + ".sqlite.zst");
            Path restored = dir.resolve("app.sqlite3");
            try (InputStream in = Zstd.decompress(new ByteArrayInputStream(stored))) {
                Files.copy(in, restored);
            }

            // 3. check: sha256sum app.sqlite3; sqlite3 app.sqlite3 'PRAGMA integrity_check'
            assertEquals(sha256, Hex.of(Hex.sha256().digest(Files.readAllBytes(restored))));
            assertEquals(Long.parseLong(newest[2]), Files.size(restored));
            assertEquals(List.of(), SqliteChecks.integrityCheck(restored));
            assertArrayEquals(Files.readAllBytes(expected), Files.readAllBytes(restored));
            assertEquals(TestDatabases.rows(expected), TestDatabases.rows(restored));
        }
    }

    private static String get(S3ProxyFixture s3, String pathAndQuery) throws Exception {
        return new String(getBytes(s3, pathAndQuery), StandardCharsets.UTF_8);
    }

    /** A GET signed with SigV4, sent with the JDK's HTTP client. */
    private static byte[] getBytes(S3ProxyFixture s3, String pathAndQuery) throws Exception {
        URI uri = URI.create(s3.endpoint() + pathAndQuery);
        SdkHttpRequest unsigned = SdkHttpFullRequest.builder().method(SdkHttpMethod.GET).uri(uri)
                .putHeader("x-amz-content-sha256", EMPTY_SHA256).build();
        SdkHttpRequest signed = AwsV4HttpSigner.create().sign(r -> r
                .identity(AwsCredentialsIdentity.create(s3.accessKey(), s3.secretKey()))
                .request(unsigned)
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
                .putProperty(AwsV4HttpSigner.REGION_NAME, s3.region())
                .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, false)).request();
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET();
        signed.headers().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("Host")) { // the JDK client sets Host itself, to the same value
                values.forEach(v -> request.header(name, v));
            }
        });
        HttpResponse<byte[]> r = HttpClient.newHttpClient().send(request.build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
        assertTrue(r.body().length > 0);
        return r.body();
    }
}
