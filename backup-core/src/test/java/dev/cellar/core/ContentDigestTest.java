package dev.cellar.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ContentDigestTest {
    private static final byte[] BODY = "{\"hello\": \"world\"}".getBytes(StandardCharsets.UTF_8);
    // the examples of RFC 9530, section 2, for the body {"hello": "world"}
    private static final String RFC_SHA256 = "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:";
    private static final String RFC_SHA512 =
            "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:";

    @Test
    void parsesTheRfcSha256Example() {
        ContentDigest d = ContentDigest.parse(RFC_SHA256).orElseThrow();

        assertEquals("sha-256", d.algorithm());
        assertArrayEquals(sha("SHA-256", BODY), d.digest());
    }

    @Test
    void parsesTheRfcSha512Example() {
        ContentDigest d = ContentDigest.parse(RFC_SHA512).orElseThrow();

        assertEquals("sha-512", d.algorithm());
        assertArrayEquals(sha("SHA-512", BODY), d.digest());
    }

    @Test
    void prefersSha512WhenBothAreSentInEitherOrder() {
        assertEquals("sha-512", ContentDigest.parse(RFC_SHA256 + ", " + RFC_SHA512).orElseThrow().algorithm());
        assertEquals("sha-512", ContentDigest.parse(RFC_SHA512 + "," + RFC_SHA256).orElseThrow().algorithm());
    }

    @Test
    void picksTheSupportedAlgorithmAmongUnknownOnes() {
        String header = "md5=:" + b64(new byte[16]) + ":, " + RFC_SHA256 + ", unixsum=:AAAA:";

        ContentDigest d = ContentDigest.parse(header).orElseThrow();

        assertEquals("sha-256", d.algorithm());
        assertArrayEquals(sha("SHA-256", BODY), d.digest());
    }

    @Test
    void isEmptyWhenNoSupportedAlgorithmIsNamed() {
        assertEquals(Optional.empty(), ContentDigest.parse("md5=:" + b64(new byte[16]) + ":"));
        assertEquals(Optional.empty(), ContentDigest.parse("sha-384=:" + b64(new byte[48]) + ":"));
    }

    @Test
    void acceptsSpacesAroundMembersAndKeysAsStructuredFieldsDo() {
        String header = "  sha-256 = :" + b64(sha("SHA-256", BODY)) + ":  ";

        ContentDigest d = ContentDigest.parse(header).orElseThrow();

        assertEquals("sha-256", d.algorithm());
        assertTrue(d.matches(sha("SHA-256", BODY)));
    }

    @Test
    void acceptsBase64WithoutPaddingAsRfc8941AsksParsersTo() {
        ContentDigest d = ContentDigest.parse("sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE:").orElseThrow();

        assertArrayEquals(sha("SHA-256", BODY), d.digest());
    }

    @Test
    void refusesADigestOfTheWrongLengthNamingTheAlgorithm() {
        IllegalArgumentException short256 = assertThrows(IllegalArgumentException.class,
                () -> ContentDigest.parse("sha-256=:" + b64(new byte[31]) + ":"));
        IllegalArgumentException sha256AsSha512 = assertThrows(IllegalArgumentException.class,
                () -> ContentDigest.parse("sha-512=:" + b64(sha("SHA-256", BODY)) + ":"));

        assertEquals("Content-Digest sha-256 must be 32 bytes, got 31", short256.getMessage());
        assertEquals("Content-Digest sha-512 must be 64 bytes, got 32", sha256AsSha512.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBP=:", // one character short
        "sha-256=:====:"})
    void refusesInvalidBase64(String header) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ContentDigest.parse(header));
        assertEquals("Content-Digest holds invalid base64", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "garbage", "sha-256", "sha-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=",
        "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=", "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9D-_E=:",
        "sha-256=\"X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=\"", "SHA_256=:AAAA:",
        // structured-field keys are lower case (RFC 8941)
        "SHA-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:",
        ",sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:"})
    void refusesHeadersThatAreNotADictionaryOfByteSequences(String header) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ContentDigest.parse(header));
        assertEquals("Content-Digest must look like sha-256=:<base64>:", e.getMessage());
    }

    @Test
    void headerValueParsesBackToTheSameDigest() {
        for (String algorithm : new String[] {"SHA-256", "SHA-512"}) {
            ContentDigest original = new ContentDigest(algorithm.toLowerCase(java.util.Locale.ROOT), sha(algorithm, BODY));

            ContentDigest parsed = ContentDigest.parse(original.headerValue()).orElseThrow();

            assertEquals(original.algorithm(), parsed.algorithm());
            assertArrayEquals(original.digest(), parsed.digest());
        }
    }

    @Test
    void headerValueOfSha256IsTheRfcForm() {
        assertEquals(RFC_SHA256, ContentDigest.sha256(sha("SHA-256", BODY)).headerValue());
    }

    @Test
    void newMessageDigestComputesTheParsedAlgorithm() {
        for (String header : new String[] {RFC_SHA256, RFC_SHA512}) {
            ContentDigest expected = ContentDigest.parse(header).orElseThrow();
            MessageDigest md = expected.newMessageDigest();
            md.update(BODY);

            assertTrue(expected.matches(md.digest()), header);
        }
    }

    @Test
    void matchesOnlyTheExactDigest() {
        byte[] digest = sha("SHA-256", BODY);
        ContentDigest d = ContentDigest.sha256(digest.clone());
        byte[] flipped = digest.clone();
        flipped[31] ^= 1;

        assertTrue(d.matches(digest));
        assertFalse(d.matches(flipped));
        assertFalse(d.matches(sha("SHA-256", "other".getBytes(StandardCharsets.UTF_8))));
        assertFalse(d.matches(new byte[0]));
    }

    private static String b64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    private static byte[] sha(String algorithm, byte[] data) {
        return Hex.digest(algorithm).digest(data);
    }
}
