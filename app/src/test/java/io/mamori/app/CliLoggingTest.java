package io.mamori.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.ConsoleAppender;
import java.util.ServiceLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CliLoggingTest {

    @AfterEach
    void clear() {
        System.clearProperty(CliLogging.PROPERTY);
    }

    @Test
    void offlineCommandsLogWarningsToStandardErrorWithPdfBoxQuietAndAuditShown() {
        System.setProperty(CliLogging.PROPERTY, "true");
        LoggerContext context = new LoggerContext();
        CliLogging logging = new CliLogging();
        logging.setContext(context);

        assertThat(logging.configure(context)).isEqualTo(Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);

        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        assertThat(root.getLevel()).isEqualTo(Level.WARN);
        ConsoleAppender<?> appender = (ConsoleAppender<?>) root.getAppender("STDERR");
        assertThat(appender.getTarget()).isEqualTo("System.err");
        assertThat(appender.isStarted()).isTrue();
        assertThat(context.getLogger("mamori.audit").getEffectiveLevel()).isEqualTo(Level.INFO);
        assertThat(context.getLogger("org.apache.pdfbox.pdmodel.font").getEffectiveLevel()).isEqualTo(Level.OFF);
        assertThat(context.getLogger("org.apache.fontbox").getEffectiveLevel()).isEqualTo(Level.OFF);
        assertThat(context.getLogger("io.mamori.core").getEffectiveLevel()).isEqualTo(Level.WARN);
    }

    @Test
    void theGatewayKeepsLogbacksOwnConfiguration() {
        LoggerContext context = new LoggerContext();
        CliLogging logging = new CliLogging();
        logging.setContext(context);

        assertThat(logging.configure(context)).isEqualTo(Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY);
        assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders().hasNext()).isFalse();
    }

    @Test
    void logbackFindsTheConfiguratorAsAService() {
        assertThat(ServiceLoader.load(Configurator.class).stream().map(ServiceLoader.Provider::type))
                .contains(CliLogging.class);
    }
}
