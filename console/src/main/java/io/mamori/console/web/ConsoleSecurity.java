package io.mamori.console.web;

import io.mamori.console.api.ApiTokenFilter;
import io.mamori.console.audit.AuditTrail;
import io.mamori.console.directory.JdbcDirectory;
import io.mamori.console.identity.ConsoleAccounts;
import io.mamori.console.text.ConsoleMessages;
import io.mamori.core.policy.PolicyHolder;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Clock;
import org.springframework.context.MessageSource;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.authentication.AuthenticationDetailsSource;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.security.web.context.SecurityContextRepository;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter;
import org.springframework.security.web.savedrequest.HttpSessionRequestCache;
import org.springframework.security.web.savedrequest.RequestCache;
import org.springframework.web.servlet.LocaleResolver;

/**
 * The console's security: two filter chains.
 *
 * <ul>
 * <li><b>{@code /api/**}</b> — stateless; the bearer token ({@link ApiTokenFilter}) is the only credential, so
 * there is no session and no cookie, and CSRF protection (which guards cookie-authenticated forms) does not
 * apply.</li>
 * <li><b>everything else</b> — the web console: form sign-in with the password, then the stages of
 * {@link ConsoleAuthentication} (password change, TOTP enrollment or code); the session id changes at every
 * step up; CSRF tokens on every state-changing request; the policy's access rules on every request
 * ({@link AccessRulesFilter}); strict headers (a content security policy without inline script or style,
 * no framing, no MIME sniffing, no referrer, HSTS on TLS). Health and metrics stay open to monitoring.</li>
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSecurity
class ConsoleSecurity {

    /** No inline script or style anywhere; QR codes are {@code data:} images. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    @Bean
    ClientAddress clientAddress(ConsoleSettings settings) {
        return new ClientAddress(settings.trustedProxies());
    }

    @Bean
    ConsoleAudit consoleAudit(AuditTrail trail, Clock clock) {
        return new ConsoleAudit(trail, clock);
    }

    @Bean
    io.mamori.core.network.FailureThrottle loginThrottle(ConsoleSettings settings, Clock clock) {
        return new io.mamori.core.network.FailureThrottle(settings.maxFailuresPerAddress(), settings.addressWindow(), clock);
    }

    @Bean
    SecurityContextRepository securityContextRepository() {
        return new HttpSessionSecurityContextRepository();
    }

    @Bean
    RequestCache requestCache() {
        return new HttpSessionRequestCache();
    }

    @Bean
    SignInFlow signInFlow(SecurityContextRepository contexts, RequestCache requests, ConsoleAccounts accounts,
            ConsoleAudit audit, ConsoleSettings settings) {
        return new SignInFlow(contexts, requests, accounts, audit, settings);
    }

    @Bean
    SignInHandlers signInHandlers(SignInFlow flow, ConsoleAudit audit, ClientAddress clients) {
        return new SignInHandlers(flow, audit, clients);
    }

    /** A bean so that Spring Boot does not create its default user with a generated password. */
    @Bean
    PasswordAuthenticationProvider passwordAuthenticationProvider(ConsoleAccounts accounts, JdbcDirectory directory,
            PolicyHolder policy, io.mamori.core.network.FailureThrottle throttle, Clock clock) {
        return new PasswordAuthenticationProvider(accounts, directory, policy, throttle, clock);
    }

    @Bean
    LocaleResolver localeResolver() {
        return new ConsoleLocaleResolver();
    }

    /** {@code messages_ja.properties} and {@code messages_en.properties} (UTF-8); Japanese when a key is missing. */
    @Bean
    MessageSource messageSource() {
        return ConsoleMessages.newSource();
    }

    /** A chain for bearer tokens only: no session, cookie, CSRF token, form or basic sign-in. */
    private static HttpSecurity tokenOnly(HttpSecurity http, ApiTokenFilter tokens) throws Exception {
        return http.csrf(csrf -> csrf.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(cache -> cache.disable())
                .formLogin(form -> form.disable())
                .httpBasic(basic -> basic.disable())
                .logout(logout -> logout.disable())
                .addFilterBefore(tokens, AuthorizationFilter.class);
    }

    /**
     * The Prometheus metrics (message and finding counts, queue depths, sender domains never): readable without a token
     * from {@code mamori.console.metrics-networks} (the loopback addresses by default, where a local Prometheus or
     * agent scrapes), and from elsewhere with an administrator's or auditor's API token as a bearer token (Prometheus'
     * {@code authorization} setting), which the access rules of the policy judge as for the API.
     */
    @Bean
    @Order(0)
    SecurityFilterChain metricsChain(HttpSecurity http, ApiTokenFilter tokens, ClientAddress clients,
            ConsoleSettings settings) throws Exception {
        tokenOnly(http.securityMatcher(ApiTokenFilter.METRICS_PATH), tokens)
                .authorizeHttpRequests(a -> a.anyRequest().access((authentication, context) -> {
                    java.net.InetAddress client = clients.of(context.getRequest());
                    if (settings.metricsNetworks().stream().anyMatch(n -> n.contains(client))) {
                        return new org.springframework.security.authorization.AuthorizationDecision(true);
                    }
                    Authentication caller = authentication.get();
                    return new org.springframework.security.authorization.AuthorizationDecision(caller != null
                            && caller.getAuthorities().stream().map(org.springframework.security.core.GrantedAuthority::getAuthority)
                                    .anyMatch(r -> r.equals(ApiTokenFilter.ADMIN_TOKEN) || r.equals("ROLE_ADMIN")
                                            || r.equals("ROLE_AUDITOR")));
                }))
                .exceptionHandling(e -> e.authenticationEntryPoint((request, response, ex) -> {
                    response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
                    response.setHeader("WWW-Authenticate", "Bearer realm=\"mamori\"");
                    // an anonymous caller from outside the networks is asked for a token (Spring Security sends a
                    // refused anonymous caller here); a token whose owner is neither administrator nor auditor is refused
                }).accessDeniedHandler((request, response, denied) -> response.setStatus(HttpServletResponse.SC_FORBIDDEN)))
                .headers(h -> h.contentSecurityPolicy(csp -> csp.policyDirectives("default-src 'none'; frame-ancestors 'none'"))
                        .referrerPolicy(r -> r.policy(ReferrerPolicyHeaderWriter.ReferrerPolicy.NO_REFERRER)));
        return http.build();
    }

    @Bean
    @Order(1)
    SecurityFilterChain apiChain(HttpSecurity http, ApiTokenFilter tokens) throws Exception {
        tokenOnly(http.securityMatcher("/api/**"), tokens)
                .anonymous(anonymous -> anonymous.disable())
                // Scoped tokens carry their owner's roles. Messages and quarantine answer any valid token: their
                // controllers act as the caller (ApiCaller) and ask Scope and ScopedQuarantine per message, as the
                // pages do (404 outside the scope, auditors read-only, employees their own mail). The audit log and
                // the status of the services outside are for administrators and auditors; lists answer any valid token
                // too: ListsController lets administrators and analysts manage everything and anyone else only their
                // own per-user entries.
                .authorizeHttpRequests(a -> a
                        .requestMatchers("/api/v1/openapi.json", "/api/v1/openapi.json/**").hasAuthority("API")
                        .requestMatchers("/api/v1/messages", "/api/v1/messages/**", "/api/v1/quarantine",
                                "/api/v1/quarantine/**", "/api/v1/lists", "/api/v1/lists/**").hasAuthority("API")
                        .requestMatchers("/api/v1/audit", "/api/v1/audit.csv", "/api/v1/status").hasAnyAuthority(
                                ApiTokenFilter.ADMIN_TOKEN, "ROLE_ADMIN", "ROLE_AUDITOR")
                        .anyRequest().hasAnyAuthority(ApiTokenFilter.ADMIN_TOKEN, "ROLE_ADMIN", "ROLE_ANALYST"))
                .exceptionHandling(e -> e.authenticationEntryPoint((request, response, ex) -> {
                    response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
                    response.setHeader("WWW-Authenticate", "Bearer realm=\"mamori\"");
                }).accessDeniedHandler((request, response, denied) -> {
                    response.setStatus(HttpServletResponse.SC_FORBIDDEN);
                    response.setContentType("application/json");
                    response.setCharacterEncoding("UTF-8");
                    response.getWriter().write("{\"error\":\"forbidden\",\"message\":"
                            + "\"この操作の権限がありません / this token's user may not do this\"}");
                }))
                .headers(h -> h.contentSecurityPolicy(csp -> csp.policyDirectives("default-src 'none'; frame-ancestors 'none'"))
                        .referrerPolicy(r -> r.policy(ReferrerPolicyHeaderWriter.ReferrerPolicy.NO_REFERRER)));
        return http.build();
    }

    @Bean
    @Order(2)
    SecurityFilterChain consoleChain(HttpSecurity http, PasswordAuthenticationProvider passwords, SignInHandlers handlers,
            SignInFlow flow, ClientAddress clients, JdbcDirectory directory, ConsoleAccounts accounts, PolicyHolder policy,
            ConsoleAudit audit, SecurityContextRepository contexts, RequestCache requests, Clock clock) throws Exception {
        AuthenticationDetailsSource<jakarta.servlet.http.HttpServletRequest, java.net.InetAddress> details = clients::of;
        http.securityContext(c -> c.securityContextRepository(contexts))
                .requestCache(c -> c.requestCache(requests))
                // Its own manager without a parent: a refused password must be checked (and counted) once.
                .authenticationManager(new ProviderManager(passwords))
                .authorizeHttpRequests(a -> a
                        .requestMatchers("/login", "/login/locked", "/denied", "/language", "/error",
                                "/css/**", "/img/**", "/favicon.ico").permitAll()
                        .requestMatchers("/actuator/health", "/actuator/health/**", "/actuator/info").permitAll()
                        .requestMatchers("/login/totp").hasAuthority(ConsoleAuthentication.Stage.TOTP.authority())
                        .requestMatchers("/account/totp").hasAuthority(ConsoleAuthentication.Stage.ENROLL_TOTP.authority())
                        .requestMatchers("/account/password").hasAnyAuthority(
                                ConsoleAuthentication.Stage.CHANGE_PASSWORD.authority(), ConsoleAuthentication.CONSOLE)
                        .anyRequest().hasAuthority(ConsoleAuthentication.CONSOLE))
                .formLogin(form -> form.loginPage("/login").loginProcessingUrl("/login")
                        .usernameParameter("email").passwordParameter("password")
                        .authenticationDetailsSource(details)
                        .successHandler(handlers).failureHandler(handlers))
                .logout(logout -> logout.logoutUrl("/logout").addLogoutHandler(handlers)
                        .logoutSuccessUrl("/login?logout").deleteCookies("JSESSIONID"))
                .sessionManagement(s -> s.sessionFixation(f -> f.changeSessionId()))
                .exceptionHandling(e -> e.accessDeniedHandler(stageAware(audit, clients)))
                .addFilterBefore(new AccessRulesFilter(directory, accounts, policy, clients, flow, audit, clock),
                        AuthorizationFilter.class)
                .headers(h -> h
                        .contentSecurityPolicy(csp -> csp.policyDirectives(CONTENT_SECURITY_POLICY))
                        .frameOptions(f -> f.deny())
                        .referrerPolicy(r -> r.policy(ReferrerPolicyHeaderWriter.ReferrerPolicy.NO_REFERRER))
                        .httpStrictTransportSecurity(hsts -> hsts.includeSubDomains(true).maxAgeInSeconds(31_536_000))
                        .permissionsPolicyHeader(p -> p.policy("camera=(), microphone=(), geolocation=(), payment=()")));
        return http.build();
    }

    /**
     * A session part-way through signing in is sent back to its stage; a missing or wrong CSRF token gets 403; a
     * signed-in user refused a page or action for their role gets 403 and an {@code access.denied} entry in the audit
     * log (every human action is audited, refusals included), as the mail pages and the API record theirs.
     */
    private static AccessDeniedHandler stageAware(ConsoleAudit audit, ClientAddress clients) {
        return (request, response, denied) -> {
            if (denied instanceof org.springframework.security.web.csrf.CsrfException) {
                response.sendError(HttpServletResponse.SC_FORBIDDEN);
                return;
            }
            Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
            if (authentication instanceof ConsoleAuthentication signIn
                    && signIn.stage() != ConsoleAuthentication.Stage.COMPLETE) {
                response.sendRedirect(request.getContextPath() + signIn.stage().page());
                return;
            }
            if (authentication instanceof ConsoleAuthentication signedIn) {
                audit.record(signedIn.getName(), clients.of(request), "access.denied",
                        request.getMethod() + " " + request.getRequestURI(), "roles=" + signedIn.user().roles(), false);
            }
            response.sendError(HttpServletResponse.SC_FORBIDDEN);
        };
    }
}
