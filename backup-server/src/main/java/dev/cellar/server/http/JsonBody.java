package dev.cellar.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A small JSON object from a request body, read strictly: a malformed body, a field of the wrong type or an unknown
 * field (a typo such as {@code machineID} must not silently drop a target) is {@code 400 invalid_json}.
 */
public final class JsonBody {
    /** Request objects are a few hundred bytes; anything near this is not one of ours. */
    static final int MAX_BYTES = 64 * 1024;
    private final JsonNode node;

    private JsonBody(JsonNode node) {
        this.node = node;
    }

    /** Reads the body; an empty body is an empty object. */
    public static JsonBody read(Context ctx, ObjectMapper json, Set<String> fields) {
        byte[] bytes = bounded(ctx);
        JsonNode node;
        try {
            node = bytes.length == 0 ? json.createObjectNode() : json.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw invalid("the body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (node == null || !node.isObject()) {
            throw invalid("the body must be a JSON object");
        }
        return strict(node, fields, "");
    }

    private static JsonBody strict(JsonNode node, Set<String> fields, String where) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!fields.contains(name)) {
                throw invalid("unknown field '" + where + name + "'; known fields: " + String.join(", ",
                        fields.stream().sorted().toList()));
            }
        }
        return new JsonBody(node);
    }

    public Optional<String> string(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isTextual()) {
            throw invalid("'" + field + "' must be a string");
        }
        return Optional.of(v.asText());
    }

    public String requiredString(String field) {
        return string(field).orElseThrow(() -> invalid("'" + field + "' is required"));
    }

    /** The items of an array field, of any type, for the caller to read; empty when absent or null. */
    public List<JsonNode> items(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isArray()) {
            throw invalid("'" + field + "' must be an array");
        }
        List<JsonNode> out = new ArrayList<>();
        v.forEach(out::add);
        return out;
    }

    public boolean bool(String field, boolean otherwise) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return otherwise;
        }
        if (!v.isBoolean()) {
            throw invalid("'" + field + "' must be true or false");
        }
        return v.asBoolean();
    }

    /** A required whole number from {@code min} to {@code max}: {@code 3} is one, {@code 3.0}, {@code "3"} are not. */
    public int requiredWholeNumber(String field, int min, int max) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw invalid("'" + field + "' is required");
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < min || v.asInt() > max) {
            throw invalid("'" + field + "' must be a whole number from " + min + " to " + max + ", got " + v);
        }
        return v.asInt();
    }

    public List<String> strings(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isArray()) {
            throw invalid("'" + field + "' must be an array of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode item : v) {
            if (!item.isTextual()) {
                throw invalid("'" + field + "' must be an array of strings");
            }
            out.add(item.asText());
        }
        return out;
    }

    /** An array of objects, each read as strictly as the body: only {@code fields}, checked by their own getters. */
    public List<JsonBody> objects(String field, Set<String> fields) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isArray()) {
            throw invalid("'" + field + "' must be an array of objects");
        }
        List<JsonBody> out = new ArrayList<>();
        for (JsonNode item : v) {
            if (!item.isObject()) {
                throw invalid("'" + field + "' must be an array of objects");
            }
            out.add(strict(item, fields, field + "[]."));
        }
        return out;
    }

    private static byte[] bounded(Context ctx) {
        if (ContentLength.of(ctx) > MAX_BYTES) {
            throw tooLarge();
        }
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] bytes = in.readNBytes(MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) {
                throw tooLarge();
            }
            return bytes;
        } catch (IOException e) {
            throw ApiError.badRequest("incomplete_body", "the request body could not be read: " + e.getMessage());
        }
    }

    private static ApiError tooLarge() {
        return ApiError.tooLarge("a JSON body may be at most " + MAX_BYTES + " bytes");
    }

    public static ApiError invalid(String message) {
        return ApiError.badRequest("invalid_json", message);
    }
}
