package dev.cellar.server.http;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * {@code GET /api/v1/openapi.json}: the OpenAPI 3.1 description of every route, a checked-in document
 * ({@code resources/api/openapi.json}) that {@code OpenApiDocumentTest} holds to the registered route table both
 * ways. Public, like {@code /up}: it describes the API, it holds nothing of any tenant.
 */
public final class OpenApiDocument {
    public static final String PATH = "/api/v1/openapi.json";
    static final String RESOURCE = "/api/openapi.json";

    private final byte[] document;

    public OpenApiDocument() {
        try (InputStream in = OpenApiDocument.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the jar");
            }
            this.document = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void handle(Context ctx) {
        ctx.contentType("application/json").result(document);
    }
}
