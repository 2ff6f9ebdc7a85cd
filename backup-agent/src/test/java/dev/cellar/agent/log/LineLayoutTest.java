package dev.cellar.agent.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The agent's text log line is exactly what its logback pattern made of the same events. */
class LineLayoutTest {
    private final LoggerContext context = new LoggerContext();
    private final Logger logger = context.getLogger("dev.cellar.agent.Example");

    @Test
    void linesAreThoseOfThePatternWithAndWithoutAnException() {
        PatternLayout pattern = new PatternLayout();
        pattern.setContext(context);
        pattern.setPattern(LogSetup.TEXT_PATTERN);
        pattern.start();
        LineLayout line = new LineLayout();
        line.setContext(context);
        line.start();

        for (LoggingEvent event : new LoggingEvent[] {
            event(Level.INFO, "event=snapshot.uploaded database={} bytes={}", null, "main", 4096),
            event(Level.WARN, "event=request.retry reason={}", null, "\"HttpTimeoutException: no byte\""),
            event(Level.DEBUG, "event=command.failed detail", new IOException("disk full", new IllegalStateException("x")),
                    new Object[0])}) {
            assertEquals(pattern.doLayout(event), line.doLayout(event));
        }
        assertTrue(line.doLayout(event(Level.ERROR, "event=x", new IOException("boom"))).contains("java.io.IOException: boom"));
    }

    private LoggingEvent event(Level level, String message, Throwable t, Object... args) {
        LoggingEvent e = new LoggingEvent("fqcn", logger, level, message, t, args);
        e.setTimeStamp(1_796_105_813_404L); // 2026-12-01T06:16:53.404Z: milliseconds that a wrong format would show
        return e;
    }
}
