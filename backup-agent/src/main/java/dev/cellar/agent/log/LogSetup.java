package dev.cellar.agent.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import ch.qos.logback.core.status.NopStatusListener;
import dev.cellar.agent.config.AgentConfigLoader;
import java.util.Optional;

/**
 * The agent's logging, configured in code (registered in {@code META-INF/services}) instead of a logback.xml: the
 * XML configurator (joran) loads a few hundred classes an idle agent would keep for nothing. One line per event on
 * stderr — stdout belongs to command output and, under {@code run}, to the app — as
 * {@code <UTC time> level=LEVEL event=... key=value}, or one JSON object per line with {@code BACKUP_LOG_FORMAT=json}
 * (the configuration loader refuses any other value). {@code BACKUP_LOG_LEVEL} sets the root level (INFO by default;
 * a name logback does not know means DEBUG, as it did in the XML).
 */
public final class LogSetup extends ContextAwareBase implements Configurator {
    /** The text line as a logback pattern; {@link LineLayout} writes it without the pattern machinery. */
    static final String TEXT_PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX,UTC} level=%level %msg%n";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        // logback's own status report would go to stdout (CliProcessTest checks every stderr line is an event)
        context.getStatusManager().add(new NopStatusListener());
        boolean json = "json".equals(setting(AgentConfigLoader.LOG_FORMAT).orElse("text"));
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName(json ? "json" : "text");
        console.setTarget("System.err");
        console.setEncoder(json ? jsonEncoder(context) : textEncoder(context));
        console.start();
        context.getLogger("org.quartz").setLevel(Level.WARN);
        context.getLogger("com.zaxxer").setLevel(Level.WARN);
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(setting(AgentConfigLoader.LOG_LEVEL).orElse("INFO")));
        root.addAppender(console);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** A system property first, then the environment, as logback's {@code ${NAME}} substitution looks them up. */
    private static Optional<String> setting(String name) {
        return Optional.ofNullable(System.getProperty(name)).or(() -> Optional.ofNullable(System.getenv(name)));
    }

    private static Encoder<ILoggingEvent> textEncoder(LoggerContext context) {
        LineLayout layout = new LineLayout();
        layout.setContext(context);
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(context);
        encoder.setLayout(layout);
        encoder.start();
        return encoder;
    }

    private static Encoder<ILoggingEvent> jsonEncoder(LoggerContext context) {
        JsonEncoder encoder = new JsonEncoder();
        encoder.setContext(context);
        encoder.setWithSequenceNumber(false);
        encoder.setWithNanoseconds(false);
        encoder.setWithContext(false);
        encoder.setWithMDC(false);
        encoder.setWithArguments(false);
        // the message with its values filled in ("event=... key=value"), not the template with {}
        encoder.setWithMessage(false);
        encoder.setWithFormattedMessage(true);
        encoder.start();
        return encoder;
    }
}
