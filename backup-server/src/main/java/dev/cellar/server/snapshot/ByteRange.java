package dev.cellar.server.snapshot;

import dev.cellar.server.http.ApiError;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A single {@code Range: bytes=...} request (RFC 9110 §14). Several ranges, or nonsense, mean the whole object. */
record ByteRange(long first, long last) {
    private static final Pattern SINGLE = Pattern.compile("bytes\\s*=\\s*(\\d*)\\s*-\\s*(\\d*)\\s*");

    long length() {
        return last - first + 1;
    }

    String contentRange(long size) {
        return "bytes " + first + "-" + last + "/" + size;
    }

    /**
     * @return empty for the whole object
     * @throws ApiError 416 when the range starts past the end
     */
    static Optional<ByteRange> parse(String header, long size) {
        if (header == null) {
            return Optional.empty();
        }
        Matcher m = SINGLE.matcher(header);
        if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
            return Optional.empty();
        }
        try {
            if (m.group(1).isEmpty()) { // suffix: the last N bytes
                long n = Long.parseLong(m.group(2));
                if (n == 0 || size == 0) { // an empty object has no last bytes to give (RFC 9110 §14.1.3)
                    throw unsatisfiable(size);
                }
                return Optional.of(new ByteRange(Math.max(0, size - n), size - 1));
            }
            long first = Long.parseLong(m.group(1));
            long last = m.group(2).isEmpty() ? size - 1 : Math.min(Long.parseLong(m.group(2)), size - 1);
            if (first >= size || last < first) {
                if (!m.group(2).isEmpty() && Long.parseLong(m.group(2)) < first) {
                    return Optional.empty(); // invalid syntax per RFC: ignore it
                }
                throw unsatisfiable(size);
            }
            return Optional.of(new ByteRange(first, last));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static ApiError unsatisfiable(long size) {
        return new ApiError(416, "range_not_satisfiable", "the snapshot is " + size + " bytes long",
                Map.of("Content-Range", "bytes */" + size));
    }
}
