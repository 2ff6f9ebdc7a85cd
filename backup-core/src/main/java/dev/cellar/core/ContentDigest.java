package dev.cellar.core;

import java.security.MessageDigest;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code Content-Digest} header of RFC 9530: {@code sha-256=:<base64>:}. Only sha-256 and sha-512 are
 * understood; other algorithms in the header are ignored, as the RFC allows.
 */
public record ContentDigest(String algorithm, byte[] digest) {
    private static final Pattern MEMBER = Pattern.compile("\\s*([a-z0-9-]+)\\s*=\\s*:([A-Za-z0-9+/=]*):\\s*");
    private static final Map<String, String> JAVA_NAMES = Map.of("sha-256", "SHA-256", "sha-512", "SHA-512");

    public static ContentDigest sha256(byte[] digest) {
        return new ContentDigest("sha-256", digest);
    }

    /** The header value, e.g. {@code sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:}. */
    public String headerValue() {
        return algorithm + "=:" + Base64.getEncoder().encodeToString(digest) + ":";
    }

    public MessageDigest newMessageDigest() {
        return Hex.digest(JAVA_NAMES.get(algorithm));
    }

    public boolean matches(byte[] actual) {
        return MessageDigest.isEqual(digest, actual);
    }

    /**
     * Parses a header value and picks the strongest supported member.
     *
     * @return empty when the header names no supported algorithm
     * @throws IllegalArgumentException when the header is not a valid dictionary of byte sequences
     */
    public static Optional<ContentDigest> parse(String header) {
        Map<String, byte[]> members = new LinkedHashMap<>();
        for (String part : header.split(",")) {
            Matcher m = MEMBER.matcher(part);
            if (!m.matches()) {
                throw new IllegalArgumentException("Content-Digest must look like sha-256=:<base64>:");
            }
            try {
                members.put(m.group(1).toLowerCase(Locale.ROOT), Base64.getDecoder().decode(m.group(2)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Content-Digest holds invalid base64", e);
            }
        }
        for (String algorithm : new String[] {"sha-512", "sha-256"}) {
            byte[] digest = members.get(algorithm);
            if (digest != null) {
                int expected = algorithm.equals("sha-256") ? 32 : 64;
                if (digest.length != expected) {
                    throw new IllegalArgumentException("Content-Digest " + algorithm + " must be " + expected
                            + " bytes, got " + digest.length);
                }
                return Optional.of(new ContentDigest(algorithm, digest));
            }
        }
        return Optional.empty();
    }
}
