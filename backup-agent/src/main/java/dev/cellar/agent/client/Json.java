package dev.cellar.agent.client;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reading the API's small JSON documents into maps, with errors that say which field was wrong. */
final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };
    private Json() {
    }

    static Map<String, Object> parse(String text) throws IOException {
        Map<String, Object> map = MAPPER.readValue(text, MAP);
        if (map == null) {
            throw new IOException("the server sent an empty JSON document");
        }
        return map;
    }

    static String write(Map<String, ?> map) throws IOException {
        return MAPPER.writeValueAsString(map);
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
