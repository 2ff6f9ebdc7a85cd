package dev.cellar.server.http;

import static dev.cellar.server.testing.Http.request;
import static dev.cellar.server.testing.Http.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cellar.server.testing.TestServer;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The served OpenAPI document against the server's registered route table, both ways: every API route is
 * described, and nothing is described that is not registered. The admin web page's HTML routes are not API.
 */
class OpenApiDocumentTest {
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "head", "patch", "options");
    private static TestServer server;
    private static JsonNode doc;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start();
        HttpResponse<byte[]> r = send(request(server.baseUri(), OpenApiDocument.PATH, null).build());
        assertEquals(200, r.statusCode(), "public, like /up");
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        doc = new ObjectMapper().readTree(r.body());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void describesExactlyTheRegisteredApiRoutes() {
        Set<String> registered = new TreeSet<>();
        for (String route : server.routes()) {
            String path = route.substring(route.indexOf(' ') + 1);
            if (!path.equals("/") && !path.startsWith("/ui/")) {
                registered.add(route);
            }
        }
        Set<String> described = new TreeSet<>();
        doc.get("paths").fields().forEachRemaining(p -> p.getValue().fieldNames().forEachRemaining(m -> {
            if (METHODS.contains(m)) {
                described.add(m.toUpperCase(Locale.ROOT) + " " + p.getKey());
            }
        }));
        Set<String> undescribed = new TreeSet<>(registered);
        undescribed.removeAll(described);
        Set<String> unregistered = new TreeSet<>(described);
        unregistered.removeAll(registered);
        assertEquals(Set.of(), undescribed, "registered routes missing from openapi.json");
        assertEquals(Set.of(), unregistered, "routes in openapi.json that the server does not register");
    }

    @Test
    void isOpenApi31AndEveryOperationStatesItsAuthAnswersAndPathParameters() {
        assertEquals("3.1.0", doc.get("openapi").asText());
        List<String> problems = new ArrayList<>();
        doc.get("paths").fields().forEachRemaining(p -> p.getValue().fields().forEachRemaining(o -> {
            String where = o.getKey().toUpperCase(Locale.ROOT) + " " + p.getKey();
            JsonNode op = o.getValue();
            if (!op.has("security")) {
                problems.add(where + ": no security (an empty list for a public route)");
            } else if (!op.get("security").isEmpty()
                    && !(op.get("responses").has("401") && op.get("responses").has("403"))) {
                problems.add(where + ": authenticated but no 401/403");
            }
            List<String> ok = new ArrayList<>();
            op.get("responses").fieldNames().forEachRemaining(code -> {
                if (code.startsWith("2")) {
                    ok.add(code);
                }
            });
            if (ok.isEmpty()) {
                problems.add(where + ": no 2xx answer");
            }
            Set<String> declared = new TreeSet<>();
            op.path("parameters").forEach(param -> {
                JsonNode resolved = resolve(param);
                if ("path".equals(resolved.path("in").asText())) {
                    declared.add(resolved.get("name").asText());
                }
            });
            Set<String> inTemplate = new TreeSet<>();
            Matcher m = Pattern.compile("\\{([^}]+)}").matcher(p.getKey());
            while (m.find()) {
                inTemplate.add(m.group(1));
            }
            if (!declared.equals(inTemplate)) {
                problems.add(where + ": path parameters " + declared + ", template has " + inTemplate);
            }
        }));
        assertEquals(List.of(), problems);
    }

    @Test
    void everyReferenceResolvesAndEveryErrorAnswerIsTheErrorBody() {
        List<String> refs = new ArrayList<>();
        collectRefs(doc, refs);
        assertTrue(refs.size() > 50, "refs: " + refs.size());
        refs.forEach(ref -> assertNotNull(resolve(doc.get("components") == null ? null
                : new ObjectMapper().createObjectNode().put("$ref", ref)), ref));
        doc.get("components").get("responses").fields().forEachRemaining(r -> assertEquals(
                "#/components/schemas/Error",
                r.getValue().at("/content/application~1json/schema/$ref").asText(), r.getKey()));
    }

    private static JsonNode resolve(JsonNode node) {
        if (!node.has("$ref")) {
            return node;
        }
        String ref = node.get("$ref").asText();
        assertTrue(ref.startsWith("#/"), ref);
        JsonNode target = doc.at(ref.substring(1));
        assertTrue(!target.isMissingNode(), "unresolved " + ref);
        return target;
    }

    private static void collectRefs(JsonNode node, List<String> refs) {
        if (node.has("$ref")) {
            refs.add(node.get("$ref").asText());
        }
        node.forEach(child -> collectRefs(child, refs));
    }
}
