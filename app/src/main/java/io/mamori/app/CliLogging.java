package io.mamori.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Logging of the offline commands (scan, eval, queue, keys, users, policy …): warnings only, on standard error, so
 * that standard output carries just the command's result. {@code start} uses Spring Boot's logging instead: there
 * this configurator steps aside and logback's own search (then Spring Boot) configures logging as before.
 *
 * <p>Logback finds it through {@code META-INF/services}. It is set up in code rather than by an XML file, because
 * logback's XML configuration (its parser, model and rule classes) was about 30 ms of every offline command's
 * start-up, for an appender and four levels.
 */
public final class CliLogging extends ContextAwareBase implements Configurator {

    /** Set to {@code true} by {@link MamoriCli} before anything logs, for every command but {@code start}. */
    static final String PROPERTY = "mamori.cli.logging";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (!Boolean.getBoolean(PROPERTY)) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%level %logger{0}: %msg%n");
        encoder.start();
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName("STDERR");
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder);
        stderr.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(stderr);
        context.getLogger("mamori.audit").setLevel(Level.INFO);
        // PDFBox warns about every damaged or font-less PDF it reads for links, and logs each damaged operator at ERROR
        // with a stack trace (thousands for one crafted PDF); the analysis result says what matters
        context.getLogger("org.apache.pdfbox").setLevel(Level.OFF);
        context.getLogger("org.apache.fontbox").setLevel(Level.OFF);
        // POI's .msg and TNEF readers log each chunk of a damaged message they pass over at ERROR with a stack trace
        context.getLogger("org.apache.poi.hsmf").setLevel(Level.OFF);
        context.getLogger("org.apache.poi.hmef").setLevel(Level.OFF);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
