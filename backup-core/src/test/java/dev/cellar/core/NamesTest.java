package dev.cellar.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class NamesTest {

    @ParameterizedTest
    @ValueSource(strings = {"a", "Z", "7", "acme", "acme-prod", "acme_prod", "A1-b2_C3", "0leading-digit",
            "trailing-", "trailing_"})
    void acceptsLettersDigitsUnderscoresAndHyphensStartingWithALetterOrDigit(String name) {
        assertTrue(Names.isValid(name), name);
    }

    @Test
    void acceptsSixtyFourCharactersAndRefusesSixtyFive() {
        String sixtyFour = "a".repeat(64);
        String sixtyFive = "a".repeat(65);

        assertTrue(Names.isValid(sixtyFour));
        assertFalse(Names.isValid(sixtyFive));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"..", ".", "a/b", "/a", "a b", " a", "a ", "-a", "_a", "a.b", "caf\u00e9", "\u0430cme",
            "a\u0000", "a\n", "a%2Fb", "a\\b"})
    void refusesEverythingElse(String name) {
        assertFalse(Names.isValid(name), String.valueOf(name));
    }

    @ParameterizedTest
    @NullAndEmptySource
    void problemOfAMissingNameSaysItIsEmpty(String name) {
        assertEquals("tenant name is empty", Names.problem("tenant", name));
    }

    @Test
    void problemOfALongNameGivesItsLengthAndTheLimit() {
        String problem = Names.problem("database", "a".repeat(65));

        assertEquals("database name is 65 characters long; at most 64 are allowed", problem);
    }

    @Test
    void problemOfABadCharacterQuotesTheNameAndSaysWhatIsAllowed() {
        String problem = Names.problem("tenant", "a/b");

        assertTrue(problem.startsWith("tenant name 'a/b' is not allowed"), problem);
        assertTrue(problem.contains("letters, digits, '_' and '-'"), problem);
        assertTrue(problem.contains("starting with a letter or digit"), problem);
    }

    @Test
    void problemOfALeadingHyphenExplainsTheFirstCharacterRule() {
        assertTrue(Names.problem("database", "-db").contains("starting with a letter or digit"));
        assertTrue(Names.problem("database", "_db").contains("starting with a letter or digit"));
    }

    @Test
    void problemEscapesUnprintableAndNonAsciiCharactersSoLogsStayReadable() {
        assertEquals("tenant name 'caf\\u00e9' is not allowed: use letters, digits, '_' and '-', "
                + "starting with a letter or digit", Names.problem("tenant", "caf\u00e9"));
        assertTrue(Names.problem("tenant", "a\nb").contains("'a\\u000ab'"));
    }
}
