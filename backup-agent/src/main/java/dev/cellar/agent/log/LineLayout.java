package dev.cellar.agent.log;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The text log line, {@code <UTC time> level=LEVEL <message>} and the stack trace of an exception if any: what the
 * pattern {@value LogSetup#TEXT_PATTERN} gives (LineLayoutTest compares the two), without logback's pattern
 * compiler and its hundred converter classes.
 */
final class LineLayout extends LayoutBase<ILoggingEvent> {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX").withZone(ZoneOffset.UTC);
    private final ThrowableProxyConverter throwable = new ThrowableProxyConverter();

    @Override
    public void start() {
        throwable.setContext(getContext());
        throwable.start();
        super.start();
    }

    @Override
    public String doLayout(ILoggingEvent event) {
        StringBuilder line = new StringBuilder(128);
        TIME.formatTo(Instant.ofEpochMilli(event.getTimeStamp()), line);
        line.append(" level=").append(event.getLevel()).append(' ').append(event.getFormattedMessage())
                .append(CoreConstants.LINE_SEPARATOR).append(throwable.convert(event));
        return line.toString();
    }
}
