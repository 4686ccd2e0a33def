package io.mamori.app;

import io.mamori.console.api.ApiTokenFilter;
import io.mamori.console.web.ClientAddress;
import org.springframework.context.MessageSource;
import io.mamori.console.api.ApiTokens;
import io.mamori.console.notice.Notices;
import io.mamori.console.users.Credentials;
import io.mamori.gateway.auth.AppPasswords;
import io.mamori.console.users.UserAdministration;
import io.mamori.console.audit.AuditTrail;
import io.mamori.console.policy.PolicyEditor;
import io.mamori.console.policy.PolicyVersions;
import io.mamori.core.analysis.FindingCatalogue;
import io.mamori.core.policy.PolicyHolder;
import io.mamori.core.policy.PolicyLoader;
import io.mamori.console.directory.JdbcDirectory;
import io.mamori.console.identity.ConsoleAccounts;
import io.mamori.console.identity.Scope;
import io.mamori.console.web.ConsoleSettings;
import io.mamori.gateway.auth.Argon2id;
import java.io.IOException;
import java.time.Clock;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the console's identity parts (directory, accounts, scope, settings) from {@link MamoriProperties}. */
@Configuration(proxyBeanMethods = false)
class ConsoleConfiguration {

    @Bean
    JdbcDirectory directory(LocalStore local, Clock clock) {
        return new JdbcDirectory(local.dataSource(), clock);
    }

    @Bean
    ConsoleAccounts consoleAccounts(LocalStore local, JdbcDirectory directory, MamoriProperties settings, Clock clock) {
        return accounts(local, directory, settings, clock);
    }

    /** The same accounts service for the offline commands. */
    /** The command line's {@link Credentials}, on a stopped gateway's store, recorded in its audit trail. */
    static Credentials credentials(LocalStore local, Clock clock) {
        JdbcDirectory directory = new JdbcDirectory(local.dataSource(), clock);
        return new Credentials(new AppPasswords(local.dataSource(), clock), new ApiTokens(local.dataSource(), clock),
                accounts(local, directory, Settings.load(java.util.List.of()), clock), local.audit(), clock);
    }

    static ConsoleAccounts accounts(LocalStore local, JdbcDirectory directory, MamoriProperties settings, Clock clock) {
        MamoriProperties.Lockout lockout = settings.console().lockout();
        return new ConsoleAccounts(local.dataSource(), directory, local.keys(), Argon2id.OWASP,
                new ConsoleAccounts.Lockout(lockout.maxFailures(), lockout.duration()), clock);
    }

    @Bean
    PolicyEditor policyEditor(PolicyHolder holder, FindingCatalogue catalogue, LocalStore local, AuditTrail audit, Clock clock) {
        return new PolicyEditor(holder, new PolicyLoader(catalogue), new PolicyVersions(local.dataSource()), audit, clock);
    }

    /** The block lists for the console, checked through the gateway's resolver. */
    @Bean
    io.mamori.console.policy.Blocklists consoleBlocklists(PolicyHolder holder,
            io.mamori.core.reputation.BlocklistStatus status, io.mamori.gateway.dns.DnsjavaResolver resolver,
            MamoriProperties settings, AuditTrail audit, Clock clock) {
        return new io.mamori.console.policy.Blocklists(holder::current, status, resolver,
                settings.dns().blocklistKeyValue(), audit, clock);
    }

    @Bean
    Scope scope(JdbcDirectory directory) {
        return new Scope(directory);
    }

    @Bean
    ConsoleSettings consoleSettings(MamoriProperties settings) {
        MamoriProperties.Console console = settings.console();
        return new ConsoleSettings(console.sessionTimeout(), console.login().maxFailuresPerAddress(),
                console.login().addressWindow(), console.trustedProxyNetworks(), "Mamori", console.metricsNetworkList());
    }

    /** Runs inside the API's security filter chain only, never as a servlet filter of its own. */
    @Bean
    ApiTokenFilter apiTokenFilter(MamoriProperties settings, ApiTokens tokens, JdbcDirectory directory, PolicyHolder policy,
            ClientAddress clients, AuditTrail audit, MessageSource messages, Clock clock) throws IOException {
        return new ApiTokenFilter(ApiToken.load(settings.dataDir()), tokens, directory, policy, clients, audit, messages,
                clock);
    }

    @Bean
    ApiTokens apiTokens(LocalStore local, Clock clock) {
        return new ApiTokens(local.dataSource(), clock);
    }

    @Bean
    UserAdministration userAdministration(JdbcDirectory directory, ConsoleAccounts accounts, Notices notices,
            AuditTrail audit, Clock clock) {
        return new UserAdministration(directory, accounts, notices, audit, clock);
    }

    @Bean
    Credentials credentials(AppPasswords appPasswords, ApiTokens apiTokens, ConsoleAccounts accounts, AuditTrail audit,
            Clock clock) {
        return new Credentials(appPasswords, apiTokens, accounts, audit, clock);
    }

    @Bean
    FilterRegistrationBean<ApiTokenFilter> apiTokenFilterRegistration(ApiTokenFilter filter) {
        FilterRegistrationBean<ApiTokenFilter> registration = new FilterRegistrationBean<>(filter);
        registration.setEnabled(false);
        return registration;
    }
}
