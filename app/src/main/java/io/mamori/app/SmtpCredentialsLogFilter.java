package io.mamori.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.Locale;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

/**
 * Keeps SMTP AUTH credentials out of the log whatever its levels. subethasmtp's session logs every command line it
 * reads at DEBUG ({@code "Client: {}"}), and {@code AUTH PLAIN <initial response>} carries the login and app password
 * in base64; an administrator who turns on DEBUG to trace a client would write them to disk. The library has no
 * switch for it, so this logback filter drops exactly those events (lines that begin with {@code AUTH}); the other
 * command lines stay in the trace. The passwords typed at AUTH's prompts are read by Mamori's own command and never
 * logged. Installed once per logging context (Spring Boot's logging set-up replaces the context's filters when it
 * starts, so it is installed after that, with the listeners).
 */
final class SmtpCredentialsLogFilter extends TurboFilter {

    /** The subethasmtp logger that records command lines. */
    static final String SESSION_LOGGER = "org.subethamail.smtp.server.Session";

    private SmtpCredentialsLogFilter() {
        setName("mamori-smtp-credentials");
    }

    /**
     * Installs the filter in the logging context if it is logback's and does not have it yet; otherwise (another
     * backend) warns when that backend would record command lines.
     */
    static void install() {
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (!(factory instanceof LoggerContext context)) {
            if (LoggerFactory.getLogger(SESSION_LOGGER).isDebugEnabled()) {
                LoggerFactory.getLogger(SmtpCredentialsLogFilter.class).warn("DEBUG logging of {} records every SMTP"
                        + " command line including AUTH credentials; set it to INFO", SESSION_LOGGER);
            }
            return;
        }
        synchronized (context) {
            if (context.getTurboFilterList().stream().noneMatch(f -> f instanceof SmtpCredentialsLogFilter)) {
                SmtpCredentialsLogFilter filter = new SmtpCredentialsLogFilter();
                filter.setContext(context);
                filter.start();
                context.addTurboFilter(filter);
            }
        }
    }

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        if (logger == null || !SESSION_LOGGER.equals(logger.getName()) || params == null) {
            return FilterReply.NEUTRAL;
        }
        for (Object p : params) {
            if (p instanceof CharSequence line && isAuth(line.toString())) {
                return FilterReply.DENY;
            }
        }
        return FilterReply.NEUTRAL;
    }

    private static boolean isAuth(String line) {
        String s = line.stripLeading();
        return s.length() >= 4 && s.substring(0, 4).toUpperCase(Locale.ROOT).equals("AUTH");
    }
}
