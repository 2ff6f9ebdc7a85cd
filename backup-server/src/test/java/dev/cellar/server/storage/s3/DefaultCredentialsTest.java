package dev.cellar.server.storage.s3;

import static dev.cellar.server.testing.Http.request;
import static dev.cellar.server.testing.Http.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellar.server.testing.S3ProxyFixture;
import dev.cellar.server.testing.ServerProcess;
import dev.cellar.server.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Without AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY the server takes its bucket credentials from the AWS SDK's
 * default chain; here from a shared credentials file (AWS_SHARED_CREDENTIALS_FILE + AWS_PROFILE), in a real
 * server process against S3Proxy, which checks every signature.
 */
class DefaultCredentialsTest {
    @TempDir
    Path dir;

    @Test
    void aProfileFileSuppliesTheKeysWhenNoStaticKeysAreSet() throws Exception {
        try (S3ProxyFixture s3 = S3ProxyFixture.start()) {
            Map<String, String> env = envWithProfile(s3, s3.secretKey());
            try (ServerProcess server = ServerProcess.start(env, dir.resolve("server.log"))) {
                assertEquals(200, send(request(server.baseUri(), "/ready", null).build()).statusCode(),
                        () -> log());
            }
            assertTrue(log().contains("credentials=default_chain"), log());
        }
    }

    @Test
    void aProfileWithAWrongSecretIsRefusedAtStart() throws Exception {
        try (S3ProxyFixture s3 = S3ProxyFixture.start()) {
            Map<String, String> env = envWithProfile(s3, "not-the-secret");
            assertThrows(Exception.class, () -> ServerProcess.start(env, dir.resolve("server.log")));
            assertTrue(log().contains("is not usable"), log());
        }
    }

    private Map<String, String> envWithProfile(S3ProxyFixture s3, String secret) throws Exception {
        Path credentials = Files.writeString(dir.resolve("credentials"), "[cellar]\naws_access_key_id = "
                + s3.accessKey() + "\naws_secret_access_key = " + secret + "\n");
        Path config = Files.writeString(dir.resolve("config"), "");
        Map<String, String> env = TestServer.s3Env(s3, Map.of());
        env.remove("AWS_ACCESS_KEY_ID");
        env.remove("AWS_SECRET_ACCESS_KEY");
        env.put("AWS_SHARED_CREDENTIALS_FILE", credentials.toString());
        env.put("AWS_CONFIG_FILE", config.toString());
        env.put("AWS_PROFILE", "cellar");
        env.put("AWS_EC2_METADATA_DISABLED", "true"); // no instance to ask on a build machine
        return env;
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("server.log"));
        } catch (java.io.IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
