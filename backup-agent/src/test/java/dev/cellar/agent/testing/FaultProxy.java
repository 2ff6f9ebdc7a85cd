package dev.cellar.agent.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.Executors;

/**
 * A reverse proxy in front of a real server that can misbehave on purpose: drop a request without an answer,
 * answer a status of its own, cut a response body short, flip one byte of it, stall a body mid-way (the
 * connection stays open and silent until {@link #heal()}), hang without an answer, or delay the answer. Faults are queued and each
 * applies to the next request it matches; requests without a fault pass through untouched.
 */
public final class FaultProxy implements AutoCloseable {
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "content-length", "transfer-encoding",
            "host", "keep-alive", "upgrade", "expect", "date");

    /** What to do to one request. {@code method} null matches any method; {@code path} null any path. */
    public record Fault(String method, Kind kind, int status, String retryAfter, long at, byte[] body, String path) {
        Fault(String method, Kind kind, int status, String retryAfter, long at, byte[] body) {
            this(method, kind, status, retryAfter, at, body, null);
        }

        /** The same fault, only for requests whose path contains {@code part}. */
        public Fault onPath(String part) {
            return new Fault(method, kind, status, retryAfter, at, body, part);
        }

        public static Fault drop(String method) {
            return new Fault(method, Kind.DROP, 0, null, 0, null);
        }

        public static Fault status(String method, int status, String retryAfter) {
            return new Fault(method, Kind.STATUS, status, retryAfter, 0, null);
        }

        public static Fault cutBodyAfter(String method, long bytes) {
            return new Fault(method, Kind.CUT_BODY, 0, null, bytes, null);
        }

        public static Fault flipBodyByte(String method, long at) {
            return new Fault(method, Kind.FLIP_BODY_BYTE, 0, null, at, null);
        }

        /** Sends the headers and {@code bytes} of the body, then nothing more (the connection stays open). */
        public static Fault stallBodyAfter(String method, long bytes) {
            return new Fault(method, Kind.STALL_BODY, 0, null, bytes, null);
        }

        /** Takes the request and never answers nor forwards it (until {@link #heal()}, which closes it). */
        public static Fault hang(String method) {
            return new Fault(method, Kind.HANG, 0, null, 0, null);
        }

        /** Forwards the request after {@code millis}. */
        public static Fault delay(String method, long millis) {
            return new Fault(method, Kind.DELAY, 0, null, millis, null);
        }

        /** Keeps the real status and headers but sends {@code body} instead of the real body. */
        public static Fault replaceBody(String method, byte[] body) {
            return new Fault(method, Kind.REPLACE_BODY, 0, null, 0, body);
        }

        boolean matches(String m, String uri) {
            return (method == null || method.equalsIgnoreCase(m)) && (path == null || uri.contains(path));
        }
    }

    public enum Kind { DROP, STATUS, CUT_BODY, FLIP_BODY_BYTE, REPLACE_BODY, STALL_BODY, HANG, DELAY }

    private final HttpServer server;
    private final URI target;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final Deque<Fault> faults = new ConcurrentLinkedDeque<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private volatile Fault always;
    private volatile CountDownLatch released = new CountDownLatch(1);
    private final AtomicInteger stalls = new AtomicInteger();

    private FaultProxy(URI target) throws IOException {
        this.target = target;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
    }

    public static FaultProxy start(URI target) throws IOException {
        return new FaultProxy(target);
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Queues faults; each hits the next request that matches it. */
    public void enqueue(Fault... more) {
        faults.addAll(List.of(more));
    }

    /** Applies {@code fault} to every request until {@link #heal()}. */
    public void always(Fault fault) {
        always = fault;
    }

    /** Ends every fault, and lets stalled bodies end too (their connections close short). */
    public void heal() {
        always = null;
        faults.clear();
        CountDownLatch stalled = released;
        released = new CountDownLatch(1);
        stalled.countDown();
    }

    /** How many bodies have stalled and requests hung so far. */
    public int stalls() {
        return stalls.get();
    }

    /** Every request seen, as "METHOD /path?query". */
    public List<String> requests() {
        return new ArrayList<>(requests);
    }

    /** One request as it arrived: its line, its headers (names in lower case) and how many body bytes it sent. */
    public record Seen(String request, Map<String, List<String>> headers, long bodyBytes) {
        public Optional<String> header(String name) {
            return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of()).stream().findFirst();
        }
    }

    /** Every request whose body was read, in the order they ended. */
    public List<Seen> seen() {
        return new ArrayList<>(seen);
    }

    public long count(String method, String pathPart) {
        return requests.stream().filter(r -> r.startsWith(method + " ") && r.contains(pathPart)).count();
    }

    private Fault take(String method, String uri) {
        Fault a = always;
        if (a != null && a.matches(method, uri)) {
            return a;
        }
        for (Fault f : faults) {
            if (f.matches(method, uri) && faults.remove(f)) {
                return f;
            }
        }
        return null;
    }

    private void handle(HttpExchange ex) throws IOException {
        String method = ex.getRequestMethod();
        requests.add(method + " " + ex.getRequestURI());
        Fault fault = take(method, ex.getRequestURI().toString());
        try (ex) {
            if (fault != null && fault.kind() == Kind.DROP) {
                record(ex, method);
                return; // closing without a status line: the client sees a broken connection
            }
            if (fault != null && fault.kind() == Kind.HANG) {
                record(ex, method);
                CountDownLatch until = released;
                stalls.incrementAndGet();
                until.await();
                return;
            }
            if (fault != null && fault.kind() == Kind.STATUS) {
                record(ex, method);
                byte[] body = ("{\"error\":\"injected\",\"message\":\"fault proxy answered " + fault.status() + "\"}")
                        .getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().add("Content-Type", "application/json");
                if (fault.retryAfter() != null) {
                    ex.getResponseHeaders().add("Retry-After", fault.retryAfter());
                }
                ex.sendResponseHeaders(fault.status(), body.length);
                ex.getResponseBody().write(body);
                return;
            }
            if (fault != null && fault.kind() == Kind.DELAY) {
                Thread.sleep(fault.at());
            }
            forward(ex, method, fault);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private byte[] record(HttpExchange ex, String method) throws IOException {
        byte[] body = ex.getRequestBody().readAllBytes();
        Map<String, List<String>> headers = new java.util.HashMap<>();
        ex.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), List.copyOf(values)));
        seen.add(new Seen(method + " " + ex.getRequestURI(), headers, body.length));
        return body;
    }

    private void forward(HttpExchange ex, String method, Fault fault) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(target.resolve(ex.getRequestURI().toString()));
        ex.getRequestHeaders().forEach((name, values) -> {
            if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(v -> request.header(name, v));
            }
        });
        byte[] body = record(ex, method);
        request.method(method, body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(body));
        HttpResponse<InputStream> response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        response.headers().map().forEach((name, values) -> {
            if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
                values.forEach(v -> ex.getResponseHeaders().add(name, v));
            }
        });
        long length = response.headers().firstValueAsLong("Content-Length").orElse(0);
        boolean noBody = method.equals("HEAD") || response.statusCode() == 204 || response.statusCode() == 304;
        if (fault != null && fault.kind() == Kind.REPLACE_BODY) {
            response.body().close();
            ex.sendResponseHeaders(response.statusCode(), fault.body().length);
            ex.getResponseBody().write(fault.body());
            return;
        }
        ex.sendResponseHeaders(response.statusCode(), noBody ? -1 : length);
        try (InputStream in = response.body(); OutputStream out = ex.getResponseBody()) {
            if (noBody) {
                return;
            }
            byte[] buffer = new byte[16 * 1024];
            long position = 0;
            for (int n; (n = in.read(buffer)) >= 0; ) {
                if (fault != null && fault.kind() == Kind.STALL_BODY && position + n > fault.at()) {
                    out.write(buffer, 0, (int) (fault.at() - position));
                    out.flush();
                    CountDownLatch until = released;
                    stalls.incrementAndGet();
                    until.await();
                    throw new IOException("fault proxy stalled the body"); // then closes short of its length
                }
                if (fault != null && fault.kind() == Kind.CUT_BODY && position + n > fault.at()) {
                    out.write(buffer, 0, (int) (fault.at() - position));
                    out.flush();
                    throw new IOException("fault proxy cut the body"); // the connection closes short of its length
                }
                if (fault != null && fault.kind() == Kind.FLIP_BODY_BYTE && position <= fault.at()
                        && fault.at() < position + n) {
                    buffer[(int) (fault.at() - position)] ^= 0x5a;
                }
                out.write(buffer, 0, n);
                position += n;
            }
        }
    }

    @Override
    public void close() {
        released.countDown();
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
