package dev.cellar.bench;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * S3Proxy as a process of its own (filesystem blob store, SigV4), so that the bucket neither shares a JVM with the
 * server nor with the harness; Cellar and the reference pipelines write to the same bucket.
 */
final class S3ProxyProcess implements AutoCloseable {
    final String bucket = "cellar-bench";
    final String region = "us-east-1";
    final URI endpoint;
    final String accessKey;
    final String secretKey;
    private final Process process;

    private S3ProxyProcess(URI endpoint, String accessKey, String secretKey, Process process) {
        this.endpoint = endpoint;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
        this.process = process;
    }

    /** CPU seconds this process has used so far. */
    double cpuSeconds() throws java.io.IOException {
        return Proc.cpuSeconds(process.pid());
    }

    static S3ProxyProcess start(Path dir) throws Exception {
        int port = Proc.freePort();
        Path blobs = dir.resolve("blobs");
        Files.createDirectories(blobs);
        URI endpoint = URI.create("http://127.0.0.1:" + port);
        String accessKey = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        String secretKey = UUID.randomUUID().toString().replace("-", "");
        Path props = dir.resolve("s3proxy.properties");
        Files.writeString(props, String.join("\n",
                "s3proxy.endpoint=" + endpoint,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + accessKey,
                "s3proxy.credential=" + secretKey,
                "s3proxy.ignore-unknown-headers=true",
                "jclouds.provider=filesystem",
                "jclouds.filesystem.basedir=" + blobs) + "\n");
        Path logback = dir.resolve("s3proxy-logback.xml");
        Files.writeString(logback, """
                <configuration><appender name="o" class="ch.qos.logback.core.ConsoleAppender"><encoder>\
                <pattern>%d %level %logger{20} %msg%n</pattern></encoder></appender>\
                <root level="WARN"><appender-ref ref="o"/></root></configuration>
                """);
        Process p = Proc.start(List.of(Proc.java().toString(), "-Xmx512m", "-Dlogback.configurationFile=" + logback,
                "-cp", System.getProperty("java.class.path"), "org.gaul.s3proxy.Main", "--properties", props.toString()),
                Map.of(), dir.resolve("s3proxy.log"));
        S3ProxyProcess started = new S3ProxyProcess(endpoint, accessKey, secretKey, p);
        Http.awaitListening(started.endpoint, p, "S3Proxy");
        Files.createDirectories(blobs.resolve(started.bucket)); // a bucket of the filesystem store is a folder
        return started;
    }

    /** The server's environment for this bucket. */
    Map<String, String> serverEnv() {
        return Map.of("BUCKET_NAME", bucket, "AWS_ENDPOINT_URL_S3", endpoint.toString(), "AWS_REGION", region,
                "AWS_ACCESS_KEY_ID", accessKey, "AWS_SECRET_ACCESS_KEY", secretKey, "BACKUP_S3_PATH_STYLE", "true");
    }

    /**
     * curl arguments that sign a request to {@code key} in the bucket (SigV4, as any S3 client would). curl does
     * not hash a body it streams from a file, so the payload is declared unsigned, as S3 allows.
     */
    List<String> curl(String key) {
        return List.of("curl", "-sS", "-f", "--aws-sigv4", "aws:amz:" + region + ":s3", "--user",
                accessKey + ":" + secretKey, "-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD",
                endpoint + "/" + bucket + "/" + key);
    }

    @Override
    public void close() {
        Proc.stop(process);
    }
}
