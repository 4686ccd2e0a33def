package io.mamori.core.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** What one class logs while a test runs, as "LEVEL message" lines. Start it before, stop it after each test. */
public final class LogCapture {

    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Logger logger;

    public LogCapture(Class<?> logging) {
        this.logger = (Logger) LoggerFactory.getLogger(logging);
    }

    public void start() {
        appender.start();
        logger.addAppender(appender);
    }

    public void stop() {
        logger.detachAppender(appender);
    }

    /** The lines logged so far, oldest first: level, a space, the formatted message. */
    public List<String> lines() {
        return appender.list.stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList();
    }
}
