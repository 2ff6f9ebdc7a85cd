package dev.cellar.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UnknownVariablesTest {
    private static final Set<String> KNOWN = Set.of("BACKUP_SCHEDULE", "BACKUP_DATA_DIR", "BACKUP_TOKEN",
            "BACKUP_STALE_AFTER", "BACKUP_MIN_FREE");

    @Test
    void onlyUnknownBackupNamesAreListedInOrder() {
        Map<String, String> env = Map.of("BACKUP_SHEDULE", "x", "BACKUP_TOKEN", "x", "PORT", "8080",
                "MY_BACKUP_THING", "x", "backup_lowercase", "x", "BACKUP_AAA", "x");

        assertEquals(List.of("BACKUP_AAA", "BACKUP_SHEDULE"), UnknownVariables.in(env, KNOWN));
    }

    @Test
    void aNameOneOrTwoEditsAwaySuggestsTheKnownOne() {
        assertEquals(Optional.of("BACKUP_SCHEDULE"), UnknownVariables.suggestion("BACKUP_SHEDULE", KNOWN));
        assertEquals(Optional.of("BACKUP_SCHEDULE"), UnknownVariables.suggestion("BACKUP_SCHEDUEL", KNOWN));
        assertEquals(Optional.of("BACKUP_STALE_AFTER"), UnknownVariables.suggestion("BACKUP_STALE_AFTR", KNOWN));
        assertEquals(Optional.of("BACKUP_DATA_DIR"), UnknownVariables.suggestion("BACKUP_DATADIR", KNOWN));
        assertEquals(Optional.of("BACKUP_TOKEN"), UnknownVariables.suggestion("BACKUP_TOKN", KNOWN));
    }

    @Test
    void aNameFarFromEveryKnownOneSuggestsNothing() {
        assertEquals(Optional.empty(), UnknownVariables.suggestion("BACKUP_DATA_DIRECTORY", KNOWN));
        assertEquals(Optional.empty(), UnknownVariables.suggestion("BACKUP_COLOUR", KNOWN));
        assertEquals(Optional.empty(), UnknownVariables.suggestion("BACKUP_TKN", KNOWN)); // short: one edit only
    }

    @Test
    void theHintSaysWhichNameWasMeant() {
        assertEquals("unknown variable, did you mean BACKUP_SCHEDULE?", UnknownVariables.hint("BACKUP_SHEDULE", KNOWN));
        assertEquals("unknown variable, a typo?", UnknownVariables.hint("BACKUP_COLOUR", KNOWN));
    }

    @Test
    void distanceCountsASwapAsOneEdit() {
        assertEquals(0, UnknownVariables.distance("AB", "AB"));
        assertEquals(1, UnknownVariables.distance("AB", "BA"));
        assertEquals(1, UnknownVariables.distance("ABC", "AC"));
        assertEquals(3, UnknownVariables.distance("", "ABC"));
    }
}
