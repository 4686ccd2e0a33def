package io.mamori.console.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mamori.console.audit.AuditEntry;
import io.mamori.console.audit.AuditTrail;
import io.mamori.console.directory.JdbcDirectory;
import io.mamori.console.directory.Person;
import io.mamori.console.identity.ConsoleUser;
import io.mamori.console.web.ClientAddress;
import io.mamori.core.access.AccessDecision;
import io.mamori.core.access.Role;
import io.mamori.core.network.Cidr;
import io.mamori.core.policy.PolicyHolder;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.MessageSource;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.authentication.preauth.PreAuthenticatedAuthenticationToken;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Guards {@code /api/**} with bearer tokens ({@code Authorization: Bearer …}). Runs inside the API's stateless
 * security filter chain:
 * <ul>
 * <li>the gateway's administrator API token becomes principal {@value #PRINCIPAL} with the authorities
 * {@code API} and {@value #ADMIN_TOKEN} (everything);</li>
 * <li>a scoped token ({@link ApiTokens}) becomes its owner as a {@link ConsoleUser} — read from the directory on
 * every request, so role changes and deactivation apply at once — with {@code API} and {@code ROLE_<ROLE>}, so
 * controllers apply the same role and {@code Scope} checks as in the console;</li>
 * <li>anything else (unknown, expired or revoked token, inactive owner) is answered 401 here.</li>
 * </ul>
 * A valid token then obeys the policy's access rules exactly as a console session does ({@code AccessRules}, for
 * the owner's current roles; the administrator token as {@link Role#ADMIN}), with the client address as
 * {@link ClientAddress} computes it (trusted proxies applied): a request from a network or at an hour the rules
 * forbid is answered 403 with a JSON reason in Japanese and English, logged at WARN and audited as
 * {@code access.denied}.
 * The administrator token is compared in constant time; tokens are never logged.
 */
public final class ApiTokenFilter extends OncePerRequestFilter {

    /** The principal (and audit actor) of requests made with the administrator API token. */
    public static final String PRINCIPAL = "api-token";
    /** The authority of the administrator API token. */
    public static final String ADMIN_TOKEN = "API_ADMIN";

    private static final Logger LOG = LoggerFactory.getLogger(ApiTokenFilter.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final byte[] expected;
    private final ApiTokens tokens;
    private final JdbcDirectory directory;
    private final PolicyHolder policy;
    private final ClientAddress clients;
    private final AuditTrail audit;
    private final MessageSource messages;
    private final Clock clock;

    public ApiTokenFilter(String token, ApiTokens tokens, JdbcDirectory directory, PolicyHolder policy,
            ClientAddress clients, AuditTrail audit, MessageSource messages, Clock clock) {
        if (token == null || token.length() < 32) {
            throw new IllegalArgumentException("API token must have at least 32 characters");
        }
        this.expected = token.getBytes(StandardCharsets.UTF_8);
        this.tokens = tokens;
        this.directory = directory;
        this.policy = policy;
        this.clients = clients;
        this.audit = audit;
        this.messages = messages;
        this.clock = clock;
    }

    /** The authentication of a request made with a scoped token: the owner, named by address. */
    public static final class ScopedTokenAuthentication extends AbstractAuthenticationToken {
        private static final long serialVersionUID = 1L;
        private final ConsoleUser user;

        ScopedTokenAuthentication(ConsoleUser user, List<GrantedAuthority> authorities) {
            super(authorities);
            this.user = user;
            setAuthenticated(true);
        }

        @Override
        public Object getCredentials() {
            return "";
        }

        @Override
        public ConsoleUser getPrincipal() {
            return user;
        }

        @Override
        public String getName() {
            return user.email();
        }
    }

    /**
     * The Prometheus metrics, which also take a token (from outside the networks that read them without one): there a
     * request without one goes on unauthenticated, and the metrics' chain decides.
     */
    public static final String METRICS_PATH = "/actuator/prometheus";

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !request.getRequestURI().startsWith("/api/") && !request.getRequestURI().equals(METRICS_PATH);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader("Authorization");
        String presented = header != null && header.startsWith("Bearer ") ? header.substring(7).trim() : "";
        if (presented.isEmpty() && request.getRequestURI().equals(METRICS_PATH)) {
            chain.doFilter(request, response);
            return;
        }
        SecurityContext context = SecurityContextHolder.createEmptyContext();
        Set<Role> roles;
        String actor;
        if (MessageDigest.isEqual(expected, presented.getBytes(StandardCharsets.UTF_8))) {
            roles = ApiCaller.API_TOKEN.roles();
            actor = PRINCIPAL;
            context.setAuthentication(new PreAuthenticatedAuthenticationToken(PRINCIPAL, null,
                    List.of(new SimpleGrantedAuthority("API"), new SimpleGrantedAuthority(ADMIN_TOKEN))));
        } else {
            Optional<Person> owner = tokens.authenticate(presented).flatMap(directory::find).filter(Person::active);
            if (owner.isEmpty()) {
                response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
                response.setHeader("WWW-Authenticate", "Bearer realm=\"mamori\"");
                response.setContentType("application/json");
                response.setCharacterEncoding("UTF-8");
                response.getWriter().write("{\"error\":\"unauthorized\",\"message\":\"認証が必要です / authentication required\"}");
                return;
            }
            ConsoleUser user = ConsoleUser.of(owner.get());
            List<GrantedAuthority> authorities = new ArrayList<>();
            authorities.add(new SimpleGrantedAuthority("API"));
            user.roles().forEach(r -> authorities.add(new SimpleGrantedAuthority("ROLE_" + r.name())));
            context.setAuthentication(new ScopedTokenAuthentication(user, authorities));
            roles = user.roles();
            actor = user.email();
        }
        InetAddress client = clients.of(request);
        if (policy.current().access().check(roles, client, clock.instant()) instanceof AccessDecision.Denied denied) {
            refuse(request, response, actor, client, denied);
            return;
        }
        SecurityContextHolder.setContext(context);
        chain.doFilter(request, response);
    }

    private void refuse(HttpServletRequest request, HttpServletResponse response, String actor, InetAddress client,
            AccessDecision.Denied denied) throws IOException {
        String rule = "role=" + denied.role().key() + " reason=" + denied.reason().name().toLowerCase(Locale.ROOT)
                + (denied.rule().isEmpty() ? "" : " allows=" + denied.rule());
        LOG.warn("API request of {} from {} refused by the access rule of role {} ({})", actor, Cidr.format(client),
                denied.role().key(), denied.reason());
        audit.record(new AuditEntry(clock.instant(), actor, Cidr.format(client), "access.denied",
                request.getMethod() + " " + request.getRequestURI(), null, rule, false));
        Map<String, String> body = new LinkedHashMap<>();
        body.put("error", "access_denied");
        body.put("role", denied.role().key());
        body.put("reason", denied.reason().name().toLowerCase(Locale.ROOT));
        body.put("allowed", denied.rule());
        body.put("message", reason(denied, client, Locale.JAPANESE) + " / " + reason(denied, client, Locale.ENGLISH));
        body.put("message_ja", reason(denied, client, Locale.JAPANESE));
        body.put("message_en", reason(denied, client, Locale.ENGLISH));
        response.setStatus(HttpServletResponse.SC_FORBIDDEN);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.getWriter().write(JSON.writeValueAsString(body));
    }

    /** The denied page's wording (messages_ja/en.properties), so that pages and API give the same reason. */
    private String reason(AccessDecision.Denied denied, InetAddress client, Locale locale) {
        String role = messages.getMessage("role." + denied.role().key(), null, denied.role().key(), locale);
        return switch (denied.reason()) {
            case NETWORK -> messages.getMessage("denied.network", new Object[] {role, Cidr.format(client), denied.rule()}, locale);
            case HOURS -> messages.getMessage("denied.hours", new Object[] {role, denied.rule()}, locale);
            case NO_ROLE -> messages.getMessage("denied.noRole", null, locale);
        };
    }
}
