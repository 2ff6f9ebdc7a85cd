package dev.cellar.server.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A client on a plain socket, for tests of clients no HTTP library would be: ones that send headers and a few bytes
 * of a body, then trickle or stall.
 */
public final class RawHttp implements AutoCloseable {
    private final Socket socket;

    private RawHttp(Socket socket) {
        this.socket = socket;
    }

    /**
     * Opens a connection and sends a POST's headers (with {@code Content-Length: declaredLength}) and
     * {@code firstBytes} of its body, no more.
     */
    public static RawHttp post(TestServer server, String path, String token, String contentType, long declaredLength,
                               byte[] firstBytes) throws IOException {
        return post(server.port(), path, token, contentType, declaredLength, firstBytes);
    }

    /** The same against a server on {@code port}. */
    public static RawHttp post(int port, String path, String token, String contentType, long declaredLength,
                               byte[] firstBytes) throws IOException {
        return post(port, path, token, contentType, declaredLength, firstBytes, java.util.Map.of());
    }

    /** The same with more request headers. */
    public static RawHttp post(int port, String path, String token, String contentType, long declaredLength,
                               byte[] firstBytes, java.util.Map<String, String> headers) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(30_000);
        StringBuilder head = new StringBuilder("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        if (token != null) {
            head.append("Authorization: Bearer ").append(token).append("\r\n");
        }
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        head.append("Content-Type: ").append(contentType).append("\r\nContent-Length: ").append(declaredLength)
                .append("\r\n\r\n");
        OutputStream out = socket.getOutputStream();
        out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
        out.write(firstBytes);
        out.flush();
        return new RawHttp(socket);
    }

    /** Opens a connection and sends a GET; the answer is left unread until asked for. */
    public static RawHttp get(TestServer server, String path, String token, String accept) throws IOException {
        Socket socket = new Socket();
        // a reader that reads nothing fills small buffers soon; set before connecting, so that the window offered
        // to the server is small from the first segment on
        socket.setReceiveBufferSize(4096);
        socket.connect(new java.net.InetSocketAddress("127.0.0.1", server.port()), 10_000);
        socket.setSoTimeout(30_000);
        String head = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
                + "\r\nAccept: " + accept + "\r\n\r\n";
        socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return new RawHttp(socket);
    }

    /** Sends more of the body. */
    public void send(byte[] bytes, int offset, int length) throws IOException {
        socket.getOutputStream().write(bytes, offset, length);
        socket.getOutputStream().flush();
    }

    /** Fails reads that wait longer than this for the server. */
    public void readTimeoutMillis(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    /** Whether the server has answered already (without waiting). */
    public boolean answered() throws IOException {
        return socket.getInputStream().available() > 0;
    }

    /** The server's answer: status and body, waiting for it up to the read timeout. */
    public record Answer(int status, String body) {
    }

    /** Reads the server's answer (a body with {@code Content-Length}), waiting up to the read timeout. */
    public Answer answer() throws IOException {
        Head head = head();
        int length = Integer.parseInt(head.headers().getOrDefault("content-length", "0"));
        return new Answer(head.status(), new String(body().readNBytes(length), StandardCharsets.UTF_8));
    }

    /** The status line and headers of an answer; header names in lower case. */
    public record Head(int status, java.util.Map<String, String> headers) {
    }

    /**
     * Reads the status line and headers of the server's answer, waiting up to the read timeout, and leaves the body
     * unread (read it from {@link #body()}, or not at all).
     */
    public Head head() throws IOException {
        InputStream in = socket.getInputStream();
        String line = new String(readLine(in), StandardCharsets.US_ASCII);
        if (!line.startsWith("HTTP/1.1 ")) {
            throw new IOException("not an HTTP status line: " + line);
        }
        java.util.Map<String, String> headers = new java.util.LinkedHashMap<>();
        for (String h = new String(readLine(in), StandardCharsets.US_ASCII); !h.isEmpty();
             h = new String(readLine(in), StandardCharsets.US_ASCII)) {
            int colon = h.indexOf(':');
            if (colon > 0) {
                String name = h.substring(0, colon).trim().toLowerCase(java.util.Locale.ROOT);
                headers.put(name, h.substring(colon + 1).trim());
            }
        }
        return new Head(Integer.parseInt(line.substring(9, 12)), headers);
    }

    /** The rest of the answer after {@link #head()}: its body as the server sends it. */
    public InputStream body() throws IOException {
        return socket.getInputStream();
    }

    private static byte[] readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b == -1) {
                throw new IOException("the server closed the connection without an answer");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toByteArray();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
