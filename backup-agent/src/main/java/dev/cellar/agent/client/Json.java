package dev.cellar.agent.client;

import dev.cellar.agent.json.JsonValues;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reading the API's small JSON documents into maps, with errors that say which field was wrong. */
final class Json {
    private Json() {
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> parse(String text) throws IOException {
        Object document = JsonValues.parse(text);
        if (document == null) {
            throw new IOException("the server sent an empty JSON document");
        }
        if (!(document instanceof Map<?, ?>)) {
            throw new IOException("the server sent a JSON document that is not an object");
        }
        return (Map<String, Object>) document;
    }

    static String write(Map<String, ?> map) throws IOException {
        return JsonValues.write(map, false);
    }

    static String string(Map<String, Object> json, String field) {
        return optionalString(json, field).orElseThrow(() -> missing(field));
    }

    static Optional<String> optionalString(Map<String, Object> json, String field) {
        Object v = json.get(field);
        return v == null ? Optional.empty() : Optional.of(v.toString());
    }

    static long number(Map<String, Object> json, String field) {
        if (json.get(field) instanceof Number n) {
            return n.longValue();
        }
        throw missing(field);
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Map<String, Object> json, String field) {
        if (json.get(field) instanceof List<?> list) {
            return (List<Map<String, Object>>) list;
        }
        throw missing(field);
    }

    private static IllegalStateException missing(String field) {
        return new IllegalStateException("the server's answer lacks a valid '" + field + "' field");
    }
}
