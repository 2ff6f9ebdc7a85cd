package dev.cellar.server.storage.s3;

import dev.cellar.server.storage.BlobPage;
import dev.cellar.server.storage.BlobStore;
import dev.cellar.server.storage.StagedBlob;
import dev.cellar.server.storage.StorageException;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Objects in an S3-compatible bucket (AWS S3, Tigris, R2, MinIO), under an optional key prefix. Small objects are
 * written with one PutObject; large objects go up in parts, a few at a time beside the writer, straight to their
 * key when it is known up front or else to a staging key copied into place on commit, so a key only ever shows a
 * complete object.
 */
public final class S3BlobStore implements BlobStore {
    private static final Logger log = LoggerFactory.getLogger(S3BlobStore.class);
    /** Uploads in progress live under this folder of the prefix; it is hidden from {@link #folders}. */
    static final String STAGING = "staging/";
    static final String OCTET_STREAM = "application/octet-stream";
    private static final int MAX_ATTEMPTS = 4;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    // a CopyObject of several GiB can keep the response waiting for minutes on some providers
    private static final Duration SOCKET_TIMEOUT = Duration.ofMinutes(5);

    private final S3Settings settings;
    private final S3Client client;
    /**
     * Threads that send multipart parts beside the threads that receive them. Unbounded here because each upload
     * bounds its own parts in flight ({@link S3StagedBlob#PARTS_IN_FLIGHT}) and the server bounds the uploads.
     */
    private final ExecutorService partSenders = Executors.newCachedThreadPool(new ThreadFactory() {
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "s3-part-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    });

    S3BlobStore(S3Settings settings, S3Client client) {
        this.settings = settings;
        this.client = client;
    }

    /** A store on the bucket the settings name. Cheap: nothing is sent until the first request. */
    public static S3BlobStore connect(S3Settings settings) {
        log.info("s3 store bucket={} endpoint={} region={} prefix={} pathStyle={} credentials={}", settings.bucket(),
                settings.endpoint() == null ? "aws" : settings.endpoint(), settings.region(), settings.prefix(),
                settings.pathStyle(), settings.usesDefaultCredentials() ? "default_chain" : "static");
        return new S3BlobStore(settings, newClient(settings, o -> { }));
    }

    static S3Client newClient(S3Settings settings, Consumer<ClientOverrideConfiguration.Builder> overrides) {
        S3ClientBuilder builder = S3Client.builder()
                .region(Region.of(settings.region()))
                .credentialsProvider(settings.usesDefaultCredentials()
                        // environment, system properties, profile (AWS_PROFILE), web identity, container, instance
                        ? DefaultCredentialsProvider.builder().build()
                        : StaticCredentialsProvider.create(
                                AwsBasicCredentials.create(settings.accessKeyId(), settings.secretAccessKey())))
                .forcePathStyle(settings.pathStyle())
                // S3-compatible stores reject or mishandle the CRC trailers the SDK sends by default
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClientBuilder(Apache5HttpClient.builder()
                        .connectionTimeout(CONNECT_TIMEOUT)
                        .socketTimeout(SOCKET_TIMEOUT))
                .overrideConfiguration(o -> {
                    o.retryStrategy(r -> r.maxAttempts(MAX_ATTEMPTS));
                    overrides.accept(o);
                });
        if (settings.endpoint() != null) {
            builder.endpointOverride(settings.endpoint());
        }
        return builder.build();
    }

    /** Fails with a {@link StorageException} naming the bucket and endpoint unless the bucket can be reached. */
    public void checkBucket() {
        try {
            client.headBucket(b -> b.bucket(settings.bucket()));
        } catch (SdkException e) {
            throw new StorageException("bucket " + settings.bucket() + " at " + endpointName() + " is not usable: "
                    + reason(e), e);
        }
    }

    @Override
    public StagedBlob stage() {
        return new S3StagedBlob(this, null);
    }

    @Override
    public StagedBlob stageAt(String key) {
        return new S3StagedBlob(this, fullKey(key));
    }

    @Override
    public void put(String key, byte[] content) {
        String full = fullKey(key);
        try {
            putBytes(full, content, content.length);
        } catch (SdkException e) {
            throw failure("cannot write " + key, e);
        }
    }

    @Override
    public boolean putIfAbsent(String key, byte[] content) {
        String full = fullKey(key);
        try {
            client.putObject(b -> b.bucket(settings.bucket()).key(full).ifNoneMatch("*"),
                    RequestBody.fromBytes(content));
            return true;
        } catch (SdkException e) {
            // 412: the key exists; 409: a concurrent conditional write to it won
            if (e instanceof AwsServiceException s && (s.statusCode() == 412 || s.statusCode() == 409)) {
                // an SDK retry of our own successful attempt also lands here
                return read(key).map(existing -> Arrays.equals(existing, content)).orElse(false);
            }
            throw failure("cannot write " + key, e);
        }
    }

    @Override
    public Optional<byte[]> read(String key) {
        String full = fullKey(key);
        try {
            return Optional.of(client.getObjectAsBytes(b -> b.bucket(settings.bucket()).key(full))
                    .asByteArrayUnsafe());
        } catch (SdkException e) {
            if (isMissing(e)) {
                return Optional.empty();
            }
            throw failure("cannot read " + key, e);
        }
    }

    @Override
    public OptionalLong size(String key) {
        String full = fullKey(key);
        try {
            return OptionalLong.of(client.headObject(b -> b.bucket(settings.bucket()).key(full)).contentLength());
        } catch (SdkException e) {
            if (isMissing(e)) {
                return OptionalLong.empty();
            }
            throw failure("cannot stat " + key, e);
        }
    }

    @Override
    public Optional<InputStream> open(String key, long offset, long length) {
        if (offset < 0 || length < -1) {
            throw new IllegalArgumentException("invalid range: offset=" + offset + " length=" + length);
        }
        if (length == 0) {
            return size(key).isPresent() ? Optional.of(InputStream.nullInputStream()) : Optional.empty();
        }
        String full = fullKey(key);
        // no Range for a whole object: S3 answers 416 to any range on an empty one
        String range = offset == 0 && length < 0 ? null
                : "bytes=" + offset + "-" + (length < 0 ? "" : String.valueOf(offset + length - 1));
        try {
            ResponseInputStream<GetObjectResponse> in =
                    client.getObject(b -> b.bucket(settings.bucket()).key(full).range(range));
            return Optional.of(new RangeInputStream(in));
        } catch (SdkException e) {
            if (isMissing(e)) {
                return Optional.empty();
            }
            if (e instanceof AwsServiceException s && s.statusCode() == 416) {
                return Optional.of(InputStream.nullInputStream()); // offset at or past the end, as with a file
            }
            throw failure("cannot open " + key, e);
        }
    }

    @Override
    public BlobPage list(String folder, String startAfter, int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1, got " + max);
        }
        String prefix = fullFolder(folder);
        try {
            ListObjectsV2Response page = client.listObjectsV2(b -> b.bucket(settings.bucket()).prefix(prefix)
                    .maxKeys(max).startAfter(startAfter == null ? null : settings.prefix() + startAfter));
            List<BlobPage.Entry> entries = new ArrayList<>(page.contents().size());
            for (S3Object o : page.contents()) {
                entries.add(new BlobPage.Entry(strip(o.key()), o.size()));
            }
            return new BlobPage(entries, Boolean.TRUE.equals(page.isTruncated()));
        } catch (SdkException e) {
            throw failure("cannot list " + folder, e);
        }
    }

    @Override
    public List<String> folders(String folder) {
        String prefix = fullFolder(folder);
        List<String> result = new ArrayList<>();
        try {
            String token = null;
            do {
                String continuation = token;
                ListObjectsV2Response page = client.listObjectsV2(b -> b.bucket(settings.bucket()).prefix(prefix)
                        .delimiter("/").continuationToken(continuation));
                for (CommonPrefix p : page.commonPrefixes()) {
                    String name = strip(p.prefix());
                    if (!name.equals(STAGING)) {
                        result.add(name);
                    }
                }
                token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
            } while (token != null);
        } catch (SdkException e) {
            throw failure("cannot list " + folder, e);
        }
        return result;
    }

    @Override
    public void delete(String key) {
        String full = fullKey(key);
        try {
            client.deleteObject(b -> b.bucket(settings.bucket()).key(full));
        } catch (SdkException e) {
            if (!isMissing(e)) {
                throw failure("cannot delete " + key, e);
            }
        }
    }

    @Override
    public int discardStagedBefore(Instant cutoff) {
        return new S3StagingCleanup(this).discardBefore(cutoff);
    }

    @Override
    public String describe() {
        return "s3://" + settings.bucket() + "/" + settings.prefix() + " (" + endpointName() + ")";
    }

    @Override
    public void close() {
        partSenders.shutdownNow();
        client.close();
    }

    ExecutorService partSenders() {
        return partSenders;
    }

    S3Client client() {
        return client;
    }

    S3Settings settings() {
        return settings;
    }

    String newStagingKey() {
        return settings.prefix() + STAGING + UUID.randomUUID();
    }

    /** Uploads without copying: the SDK re-reads the array itself when it retries. */
    void putBytes(String fullKey, byte[] content, int length) {
        byte[] bytes = content == null ? new byte[0] : content;
        client.putObject(b -> b.bucket(settings.bucket()).key(fullKey),
                RequestBody.fromContentProvider(() -> new ByteArrayInputStream(bytes, 0, length), length,
                        OCTET_STREAM));
    }

    /** The bucket key for a store key; refuses keys two stores would map differently, and staging keys. */
    String fullKey(String key) {
        if (key == null || key.isEmpty() || key.startsWith("/") || key.endsWith("/") || key.startsWith(STAGING)) {
            throw new IllegalArgumentException("invalid key: " + key);
        }
        for (String segment : key.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("invalid key: " + key);
            }
        }
        return settings.prefix() + key;
    }

    private String fullFolder(String folder) {
        if (!folder.isEmpty() && (!folder.endsWith("/") || folder.startsWith("/"))) {
            throw new IllegalArgumentException("a folder ends with '/': " + folder);
        }
        return settings.prefix() + folder;
    }

    private String strip(String fullKey) {
        return fullKey.substring(settings.prefix().length());
    }

    private String endpointName() {
        return settings.endpoint() == null ? "aws " + settings.region() : settings.endpoint().toString();
    }

    StorageException failure(String action, SdkException e) {
        return new StorageException(action + " in " + describe() + ": " + reason(e), e);
    }

    /** Status and error code only: service messages may quote request details. */
    static String reason(SdkException e) {
        if (e instanceof AwsServiceException s) {
            String code = s.awsErrorDetails() == null ? null : s.awsErrorDetails().errorCode();
            return "HTTP " + s.statusCode() + (code == null ? "" : " " + code);
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    static boolean isMissing(SdkException e) {
        if (e instanceof NoSuchKeyException) {
            return true;
        }
        if (e instanceof AwsServiceException s && s.statusCode() == 404) {
            String code = s.awsErrorDetails() == null ? null : s.awsErrorDetails().errorCode();
            return !"NoSuchBucket".equals(code);
        }
        return false;
    }
}
