package dev.cellar.server.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cellar.server.auth.AdminSessions;
import dev.cellar.server.testing.Http;
import dev.cellar.server.testing.TestServer;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** The admin page over plain HTTP, cookies handled by hand so that tests can forge, drop or replay them. */
final class PageClient {
    static final String SESSION = AdminSessions.COOKIE;
    private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");
    private final URI base;

    PageClient(TestServer server) {
        this(server.baseUri());
    }

    PageClient(URI base) {
        this.base = base;
    }

    HttpResponse<byte[]> get(String path, String session) {
        HttpRequest.Builder b = Http.request(base, path, null).GET();
        cookie(b, session == null ? null : SESSION + "=" + session);
        return Http.send(b.build());
    }

    HttpResponse<byte[]> post(String path, String cookies, Map<String, String> form, Map<String, String> headers) {
        String body = form.entrySet().stream().map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
                .collect(Collectors.joining("&"));
        HttpRequest.Builder b = Http.request(base, path, null)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        cookie(b, cookies);
        return Http.send(b.build());
    }

    /** A POST of a signed-in admin: {@code csrf} null leaves the token out. */
    HttpResponse<byte[]> postSignedIn(String path, String session, String csrf, Map<String, String> form) {
        Map<String, String> all = new LinkedHashMap<>(form);
        if (csrf != null) {
            all.put("csrf", csrf);
        }
        return post(path, SESSION + "=" + session, all, Map.of());
    }

    /** Signs in through the form; returns the response to the POST. */
    HttpResponse<byte[]> signIn(String token, Map<String, String> headers) {
        HttpResponse<byte[]> form = get("/ui/signin", null);
        assertEquals(200, form.statusCode(), Http.text(form));
        String formCookie = setCookie(form, "cellar_signin").orElseThrow();
        return post("/ui/signin", "cellar_signin=" + formCookie, Map.of("csrf", csrf(form), "token", token), headers);
    }

    /** Signs in as the admin; returns the session cookie's value. */
    String session(String adminToken) {
        HttpResponse<byte[]> r = signIn(adminToken, Map.of());
        assertEquals(303, r.statusCode(), Http.text(r));
        return setCookie(r, SESSION).orElseThrow();
    }

    /** The CSRF token in a page's forms. */
    static String csrf(HttpResponse<byte[]> page) {
        Matcher m = CSRF.matcher(Http.text(page));
        if (!m.find()) {
            throw new AssertionError("no CSRF field in " + Http.text(page));
        }
        return m.group(1);
    }

    /** The value a response sets for cookie {@code name} (possibly empty: deleted). */
    static Optional<String> setCookie(HttpResponse<?> r, String name) {
        return r.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith(name + "="))
                .map(c -> c.substring(name.length() + 1, c.indexOf(';'))).findFirst();
    }

    static Optional<String> setCookieHeader(HttpResponse<?> r, String name) {
        return r.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith(name + "=")).findFirst();
    }

    private static void cookie(HttpRequest.Builder b, String cookies) {
        if (cookies != null) {
            b.header("Cookie", cookies);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
