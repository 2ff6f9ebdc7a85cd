package dev.cellar.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Requests that Jetty refuses before any route sees them (a URI with {@code %00}, a malformed request line) get
 * the same JSON error body as every other refusal, not Jetty's HTML page: clients parse one shape only.
 */
public final class JsonErrorHandler extends ErrorHandler {
    private static final ObjectMapper JSON = Json.mapper();

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                    Callback callback) throws IOException {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("error", ErrorMapping.codeFor(code));
        body.put("message", "the request was refused before reaching the API: "
                + (message == null || message.isBlank() ? HttpStatus.getMessage(code) : message));
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, ByteBuffer.wrap(JSON.writeValueAsBytes(body)), callback);
    }
}
