package dev.cellar.server.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The metrics tests' parser must refuse what Prometheus would refuse, or those tests prove nothing. */
class PrometheusTextTest {
    private static final String VALID = """
            # HELP cellar_uploads_total uploads
            # TYPE cellar_uploads_total counter
            cellar_uploads_total{outcome="stored"} 3.0
            cellar_uploads_total{outcome="unchanged",note="a \\"quoted\\" \\\\ and\\nline"} 1
            # TYPE cellar_upload_duration_seconds histogram
            cellar_upload_duration_seconds_bucket{le="1.0"} 2
            cellar_upload_duration_seconds_bucket{le="+Inf"} 3
            cellar_upload_duration_seconds_count 3
            cellar_upload_duration_seconds_sum 1.5e-1
            # TYPE cellar_oldest_backup_age_seconds gauge
            cellar_oldest_backup_age_seconds NaN 1700000000000
            """;

    @Test
    void readsAValidExposition() {
        PrometheusText text = PrometheusText.parse(VALID);

        assertEquals(3.0, text.sum("cellar_uploads_total", "outcome", "stored"));
        assertEquals(4.0, text.sum("cellar_uploads_total"));
        assertEquals("a \"quoted\" \\ and\nline", text.find("cellar_uploads_total", "outcome", "unchanged").get(0)
                .labels().get("note"));
        assertEquals(0.15, text.sum("cellar_upload_duration_seconds_sum"));
        assertEquals("histogram", text.type("cellar_upload_duration_seconds"));
        assertEquals(Map.of("le", "+Inf"), text.find("cellar_upload_duration_seconds_bucket", "le", "+Inf").get(0)
                .labels());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "cellar_x 1",                                                  // a sample before any TYPE
        "# TYPE a counter\na{x=\"1\"} one",                            // not a number
        "# TYPE a counter\na{x=1} 1",                                  // unquoted label value
        "# TYPE a counter\na{x=\"1\" y=\"2\"} 1",                      // no comma between labels
        "# TYPE a counter\na{x=\"1\",x=\"2\"} 1",                      // a label twice
        "# TYPE a counter\na{x=\"a\\qb\"} 1",                          // an escape the format does not have
        "# TYPE a counter\na{1x=\"1\"} 1",                             // a label name starting with a digit
        "# TYPE a counter\na 1\na 2",                                  // the same series twice
        "# TYPE a counter\n# TYPE a gauge\na 1",                       // two TYPE lines for one family
        "# TYPE a counter\n# TYPE b gauge\nb 1\na 2",                  // a family's samples split
        "# TYPE a histogram\na 1",                                     // a histogram sample without its suffix
        "# TYPE a foo\na 1",                                           // an unknown type
        "# TYPE a counter\na  1",                                      // two spaces
        "# TYPE a counter\na 1 12.5",                                  // a timestamp that is not an integer
        "# TYPE a counter\n-a 1",                                      // not a metric name
        "# TYPE a counter\na{x=\"1\"",                                 // an unclosed label set
    })
    void refusesMalformedInput(String body) {
        assertThrows(IllegalArgumentException.class, () -> PrometheusText.parse(body + "\n"), body);
    }

    @Test
    void refusesAnExpositionWithoutAFinalLineFeed() {
        assertThrows(IllegalArgumentException.class, () -> PrometheusText.parse("# TYPE a counter\na 1"));
    }
}
