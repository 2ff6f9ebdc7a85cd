package dev.cellar.server.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import dev.cellar.server.storage.s3.S3Settings;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;
import java.util.UUID;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * An S3 server inside the test JVM: S3Proxy on 127.0.0.1 with a random free port, SigV4 authentication with
 * random credentials, and one empty bucket. Start it in {@code @BeforeAll} (or anywhere) and close it afterwards:
 *
 * <pre>{@code
 * try (S3ProxyFixture s3 = S3ProxyFixture.start()) {
 *     URI endpoint = s3.endpoint(); // use path-style addressing and s3.region()
 * }
 * }</pre>
 *
 * Objects live in memory ({@link #start()}) or as files under a directory ({@link #startFilesystem(Path)}),
 * which survive {@link #close()} so a later fixture on the same directory sees them.
 */
public final class S3ProxyFixture implements AutoCloseable {
    private static final String HOST = "127.0.0.1";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final S3Proxy proxy;
    private final BlobStore blobStore;
    private final URI endpoint;
    private final String accessKey;
    private final String secretKey;
    private final String bucket;

    private S3ProxyFixture(Builder builder) throws Exception {
        quietChattyLoggers();
        this.accessKey = "cellar-" + UUID.randomUUID().toString().substring(0, 8);
        this.secretKey = UUID.randomUUID().toString().replace("-", "");
        this.bucket = builder.bucket;
        Properties properties = new Properties();
        String provider = "transient";
        if (builder.basedir != null) {
            provider = "filesystem";
            Files.createDirectories(builder.basedir);
            properties.setProperty("jclouds.filesystem.basedir", builder.basedir.toAbsolutePath().toString());
        }
        this.blobStore = BlobStores.create(provider, properties);
        this.proxy = S3Proxy.builder()
                .blobStore(blobStore)
                .endpoint(URI.create("http://" + HOST + ":0"))
                .awsAuthentication(AuthenticationType.AWS_V4, accessKey, secretKey)
                // the SDK sends headers S3Proxy does not know (checksums, multipart); without this they are 501s
                .ignoreUnknownHeaders(true)
                .stopTimeout(0)
                .build();
        proxy.start();
        try {
            awaitStarted();
            if (!blobStore.containerExists(bucket)) {
                blobStore.createContainer(bucket);
            }
        } catch (Exception e) {
            proxy.stop();
            throw e;
        }
        this.endpoint = URI.create("http://" + HOST + ":" + proxy.getPort());
    }

    /** Starts a fixture keeping objects in memory, with a bucket named "cellar-test". */
    public static S3ProxyFixture start() {
        return builder().start();
    }

    /** Starts a fixture keeping objects as files under {@code basedir} (created if missing). */
    public static S3ProxyFixture startFilesystem(Path basedir) {
        return builder().filesystem(basedir).start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Where to send requests, e.g. {@code http://127.0.0.1:41234}; needs path-style addressing. */
    public URI endpoint() {
        return endpoint;
    }

    public String accessKey() {
        return accessKey;
    }

    public String secretKey() {
        return secretKey;
    }

    public String bucket() {
        return bucket;
    }

    /** S3Proxy accepts any region in a signature; this is the one clients should sign with. */
    public String region() {
        return "us-east-1";
    }

    /** Settings for a Cellar store on this bucket (path-style, no prefix): add {@code withPrefix} to isolate tests. */
    public S3Settings storeSettings() {
        return S3Settings.of(bucket, endpoint, region(), accessKey, secretKey, true);
    }

    /** A new SDK client for this server, for tests that look at the bucket directly. Close it when done. */
    public S3Client newClient() {
        return S3Client.builder()
                .endpointOverride(endpoint)
                .region(Region.of(region()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(accessKey, secretKey)))
                .forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClientBuilder(Apache5HttpClient.builder())
                .build();
    }

    @Override
    public void close() {
        try {
            proxy.stop();
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop S3Proxy at " + endpoint, e);
        } finally {
            blobStore.close();
        }
    }

    @Override
    public String toString() {
        return "S3ProxyFixture[" + endpoint + ", bucket=" + bucket + "]";
    }

    /**
     * Without a logging configuration logback logs everything at DEBUG: the embedded Jetty and the HTTP client's
     * byte-by-byte wire log then write hundreds of MB per test. Loggers that a configuration names keep its level.
     */
    private static void quietChattyLoggers() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            for (String name : new String[] {"org.gaul", "org.apache.http", "org.apache.hc", "software.amazon.awssdk"}) {
                Logger logger = context.getLogger(name);
                if (logger.getLevel() == null) {
                    logger.setLevel(Level.INFO);
                }
            }
        }
    }

    private void awaitStarted() throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("S3Proxy did not start: state=" + proxy.getState());
            }
            Thread.sleep(10);
        }
    }

    /** Options for a fixture; {@link #start()} launches it. */
    public static final class Builder {
        private String bucket = "cellar-test";
        private Path basedir;

        private Builder() {
        }

        public Builder bucket(String bucket) {
            this.bucket = Objects.requireNonNull(bucket);
            return this;
        }

        /** Keep objects as files under this directory instead of in memory. */
        public Builder filesystem(Path basedir) {
            this.basedir = Objects.requireNonNull(basedir);
            return this;
        }

        public S3ProxyFixture start() {
            try {
                return new S3ProxyFixture(this);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("cannot start S3Proxy", e);
            }
        }
    }
}
