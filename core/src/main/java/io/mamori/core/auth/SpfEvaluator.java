package io.mamori.core.auth;

import io.mamori.core.auth.DnsResolver.Type;
import io.mamori.core.auth.SpfResult.Kind;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SPF {@code check_host()} of RFC 7208.
 *
 * <p>Written here rather than taken from Apache jSPF: jSPF 1.0.5 is not among the artifacts this build may
 * resolve (see /work/.library/env/packages), and its own test suite runs only the RFC 4408 tests, not the
 * RFC 7208 ones (void-lookup limit of §4.6.4, no SPF RR type, the §4.3 initial checks); we run the
 * RFC 7208 suite against this class (SpfConformanceTest) and keep the DNS behind our own typed port.
 *
 * <p>Limits (§4.6.4): at most 10 terms that query DNS, at most 2 void lookups, at most 10 MX or PTR names
 * per mechanism. Stateless and thread-safe; each {@link #check} keeps its counters on its own stack.
 */
final class SpfEvaluator {

    private static final int MAX_DNS_TERMS = 10;
    private static final int MAX_VOID_LOOKUPS = 2;
    private static final int MAX_NAMES = 10;
    private static final Pattern MODIFIER = Pattern.compile("([A-Za-z][A-Za-z0-9_.-]*)=(.*)", Pattern.DOTALL);
    private static final Pattern MECHANISM = Pattern.compile("([+?~-]?)([A-Za-z][A-Za-z0-9_.-]*)(.*)", Pattern.DOTALL);
    private static final Pattern IP4 = Pattern.compile(
            "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern CIDR4 = Pattern.compile("0|[1-9]\\d?");
    private static final Pattern CIDR6 = Pattern.compile("0|[1-9]\\d{0,2}");
    private static final Pattern TOPLABEL = Pattern.compile(
            "([A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*|[A-Za-z0-9]+-[A-Za-z0-9-]*[A-Za-z0-9])");

    private final DnsResolver dns;
    private final Clock clock;

    SpfEvaluator(DnsResolver dns, Clock clock) {
        this.dns = dns;
        this.clock = clock;
    }

    /**
     * @param client   the SMTP client's address
     * @param mailFrom the reverse path, empty for the null sender
     * @param helo     the HELO/EHLO name
     */
    SpfResult check(InetAddress client, String mailFrom, String helo) {
        String sender;
        String domain = domainChecked(mailFrom, helo);
        if (mailFrom == null || mailFrom.isEmpty()) {
            sender = "postmaster@" + domain;
        } else {
            int at = mailFrom.lastIndexOf('@');
            String local = at < 0 ? "postmaster" : mailFrom.substring(0, at);
            sender = (local.isEmpty() ? "postmaster" : local) + "@" + domain;
        }
        if (!validDomain(domain)) {
            // §4.3: a malformed domain (or an address literal) is "none", never an error
            return new SpfResult(Kind.NONE, domain, "", "no valid domain to check");
        }
        Session s = new Session(client, sender, domain, helo == null ? "" : helo);
        Outcome o = s.checkHost(domain);
        return new SpfResult(o.kind, domain, o.explanation, o.detail);
    }

    /**
     * Sends the first question {@link #check} will ask (the TXT record of the domain checked) without waiting, so that
     * it is on its way with the other checks' first questions; through a per-message cache, {@link #check} then finds it.
     */
    static void askAhead(DnsResolver dns, String mailFrom, String helo) {
        String domain = domainChecked(mailFrom, helo);
        if (validDomain(domain)) {
            dns.lookupAsync(domain, Type.TXT);
        }
    }

    /** The domain whose SPF record {@link #check} asks first: MAIL FROM's, or HELO's for the null sender (§2.4). */
    private static String domainChecked(String mailFrom, String helo) {
        if (mailFrom == null || mailFrom.isEmpty()) {
            return helo == null ? "" : helo;
        }
        int at = mailFrom.lastIndexOf('@');
        return at < 0 ? mailFrom : mailFrom.substring(at + 1);
    }

    static boolean validDomain(String domain) {
        if (domain.isEmpty() || domain.length() > 253 + (domain.endsWith(".") ? 1 : 0) || domain.startsWith("[")) {
            return false;
        }
        String d = domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
        String[] labels = d.split("\\.", -1);
        if (labels.length < 2) {
            return false;
        }
        for (String l : labels) {
            if (l.isEmpty() || l.length() > 63) {
                return false;
            }
        }
        return true;
    }

    private record Outcome(Kind kind, String explanation, String detail) {
        static Outcome of(Kind kind, String detail) {
            return new Outcome(kind, "", detail);
        }
    }

    /** A syntax or limit error: the whole check is permerror (§4.6). */
    private static final class PermError extends Exception {
        PermError(String message) {
            super(message, null, false, false);
        }
    }

    /** A DNS temporary error that ends the check with temperror (§4.4, §5). */
    private static final class TempError extends Exception {
        TempError(String message) {
            super(message, null, false, false);
        }
    }

    private record Term(char qualifier, String name, String domainSpec, int cidr4, int cidr6, String raw) {
    }

    private final class Session {
        private final InetAddress client;
        private final boolean ipv4;
        private final String sender;
        private final String heloName;
        private int dnsTerms;
        private int voidLookups;
        private String validatedPtr;

        Session(InetAddress client, String sender, String domain, String helo) {
            this.client = client;
            this.ipv4 = client.getAddress().length == 4;
            this.sender = sender;
            this.heloName = helo;
        }

        Outcome checkHost(String domain) {
            try {
                return evaluate(domain);
            } catch (PermError e) {
                return Outcome.of(Kind.PERMERROR, e.getMessage());
            } catch (TempError e) {
                return Outcome.of(Kind.TEMPERROR, e.getMessage());
            }
        }

        private Outcome evaluate(String domain) throws PermError, TempError {
            DnsAnswer answer = dns.lookup(domain, Type.TXT);
            if (answer instanceof DnsAnswer.TempFail t) {
                throw new TempError("TXT " + domain + ": " + t.reason());
            }
            List<String> spf = new ArrayList<>();
            if (answer instanceof DnsAnswer.Records r) {
                for (String txt : r.values()) {
                    if (txt.regionMatches(true, 0, "v=spf1", 0, 6) && (txt.length() == 6 || txt.charAt(6) == ' ')) {
                        spf.add(txt);
                    }
                }
            }
            if (spf.isEmpty()) {
                return Outcome.of(Kind.NONE, "no SPF record at " + domain);
            }
            if (spf.size() > 1) {
                throw new PermError("more than one SPF record at " + domain);
            }
            String record = spf.get(0);
            for (int i = 0; i < record.length(); i++) {
                char c = record.charAt(i);
                if (c < 0x20 || c > 0x7e) {
                    throw new PermError("SPF record of " + domain + " has a character outside printable ASCII");
                }
            }
            List<Term> terms = new ArrayList<>();
            String redirect = null;
            String exp = null;
            for (String raw : record.substring(6).split(" ")) {
                if (raw.isEmpty()) {
                    continue;
                }
                Matcher mod = MODIFIER.matcher(raw);
                if (mod.matches()) {
                    String name = mod.group(1).toLowerCase(Locale.ROOT);
                    String value = mod.group(2);
                    if (name.equals("redirect")) {
                        if (redirect != null) {
                            throw new PermError("two redirect modifiers at " + domain);
                        }
                        checkDomainSpec(value);
                        redirect = value;
                    } else if (name.equals("exp")) {
                        if (exp != null) {
                            throw new PermError("two exp modifiers at " + domain);
                        }
                        checkDomainSpec(value);
                        exp = value;
                    } else {
                        checkMacroString(value, false);
                    }
                    continue;
                }
                terms.add(parseMechanism(raw));
            }
            for (Term t : terms) {
                if (matches(t, domain)) {
                    Kind kind = switch (t.qualifier) {
                        case '-' -> Kind.FAIL;
                        case '~' -> Kind.SOFTFAIL;
                        case '?' -> Kind.NEUTRAL;
                        default -> Kind.PASS;
                    };
                    String explanation = kind == Kind.FAIL && exp != null ? explain(exp, domain) : "";
                    return new Outcome(kind, explanation, "matched " + t.raw + " at " + domain);
                }
            }
            if (redirect != null) {
                countDnsTerm();
                String target = expandDomain(redirect, domain);
                if (!validDomain(target)) {
                    throw new PermError("redirect target '" + target + "' is not a domain");
                }
                Outcome o = evaluate(target);
                if (o.kind == Kind.NONE) {
                    throw new PermError("redirect target " + target + " has no SPF record");
                }
                return o;
            }
            return Outcome.of(Kind.NEUTRAL, "no mechanism matched at " + domain);
        }

        private Term parseMechanism(String raw) throws PermError {
            Matcher m = MECHANISM.matcher(raw);
            if (!m.matches()) {
                throw new PermError("unknown term '" + raw + "'");
            }
            char q = m.group(1).isEmpty() ? '+' : m.group(1).charAt(0);
            String name = m.group(2).toLowerCase(Locale.ROOT);
            String rest = m.group(3);
            switch (name) {
                case "all" -> {
                    if (!rest.isEmpty()) {
                        throw new PermError("'all' takes no argument: " + raw);
                    }
                    return new Term(q, name, null, 32, 128, raw);
                }
                case "include", "exists" -> {
                    if (!rest.startsWith(":") || rest.length() == 1) {
                        throw new PermError("'" + name + "' needs a domain: " + raw);
                    }
                    String spec = rest.substring(1);
                    checkDomainSpec(spec);
                    return new Term(q, name, spec, 32, 128, raw);
                }
                case "ptr" -> {
                    String spec = null;
                    if (!rest.isEmpty()) {
                        if (!rest.startsWith(":") || rest.length() == 1) {
                            throw new PermError("bad ptr argument: " + raw);
                        }
                        spec = rest.substring(1);
                        checkDomainSpec(spec);
                    }
                    return new Term(q, name, spec, 32, 128, raw);
                }
                case "a", "mx" -> {
                    String r = rest;
                    int cidr6 = 128;
                    int cidr4 = 32;
                    int dd = r.lastIndexOf("//");
                    if (dd >= 0 && r.substring(dd + 2).chars().allMatch(Character::isDigit)) {
                        cidr6 = cidr(r.substring(dd + 2), CIDR6, 128, raw);
                        r = r.substring(0, dd);
                    }
                    int d = r.lastIndexOf('/');
                    if (d >= 0 && r.substring(d + 1).chars().allMatch(Character::isDigit)) {
                        cidr4 = cidr(r.substring(d + 1), CIDR4, 32, raw);
                        r = r.substring(0, d);
                    }
                    String spec = null;
                    if (!r.isEmpty()) {
                        if (!r.startsWith(":") || r.length() == 1) {
                            throw new PermError("bad " + name + " argument: " + raw);
                        }
                        spec = r.substring(1);
                        checkDomainSpec(spec);
                    }
                    return new Term(q, name, spec, cidr4, cidr6, raw);
                }
                case "ip4" -> {
                    if (!rest.startsWith(":")) {
                        throw new PermError("ip4 needs an address: " + raw);
                    }
                    String v = rest.substring(1);
                    int slash = v.indexOf('/');
                    int len = 32;
                    if (slash >= 0) {
                        len = cidr(v.substring(slash + 1), CIDR4, 32, raw);
                        v = v.substring(0, slash);
                    }
                    if (!IP4.matcher(v).matches()) {
                        throw new PermError("bad IPv4 address: " + raw);
                    }
                    return new Term(q, name, v, len, 128, raw);
                }
                case "ip6" -> {
                    if (!rest.startsWith(":")) {
                        throw new PermError("ip6 needs an address: " + raw);
                    }
                    String v = rest.substring(1);
                    int slash = v.indexOf('/');
                    int len = 128;
                    if (slash >= 0) {
                        len = cidr(v.substring(slash + 1), CIDR6, 128, raw);
                        v = v.substring(0, slash);
                    }
                    if (!v.contains(":") || IpAddresses.parse(v) == null) {
                        throw new PermError("bad IPv6 address: " + raw);
                    }
                    return new Term(q, name, v, 32, len, raw);
                }
                default -> throw new PermError("unknown mechanism '" + raw + "'");
            }
        }

        private int cidr(String digits, Pattern form, int max, String raw) throws PermError {
            if (!form.matcher(digits).matches() || Integer.parseInt(digits) > max) {
                throw new PermError("bad CIDR length in " + raw);
            }
            return Integer.parseInt(digits);
        }

        private boolean matches(Term t, String domain) throws PermError, TempError {
            switch (t.name) {
                case "all":
                    return true;
                case "ip4":
                    return ipv4 && IpAddresses.inNetwork(client, IpAddresses.parse(t.domainSpec), t.cidr4);
                case "ip6":
                    return !ipv4 && IpAddresses.inNetwork(client, IpAddresses.parse(t.domainSpec), t.cidr6);
                case "include": {
                    countDnsTerm();
                    String target = expandDomain(t.domainSpec, domain);
                    if (!validDomain(target)) {
                        throw new PermError("include target '" + target + "' is not a domain");
                    }
                    Outcome o = evaluate(target);
                    return switch (o.kind) {
                        case PASS -> true;
                        case FAIL, SOFTFAIL, NEUTRAL -> false;
                        case TEMPERROR -> throw new TempError(o.detail);
                        case PERMERROR -> throw new PermError(o.detail);
                        case NONE -> throw new PermError("include target " + target + " has no SPF record");
                    };
                }
                case "a": {
                    countDnsTerm();
                    String target = t.domainSpec == null ? domain : expandDomain(t.domainSpec, domain);
                    return addressMatches(target, t);
                }
                case "mx": {
                    countDnsTerm();
                    String target = t.domainSpec == null ? domain : expandDomain(t.domainSpec, domain);
                    List<String> hosts = records(target, Type.MX);
                    if (hosts.size() > MAX_NAMES) {
                        throw new PermError("more than " + MAX_NAMES + " MX records at " + target);
                    }
                    for (String host : hosts) {
                        if (addressMatches(host, t)) {
                            return true;
                        }
                    }
                    return false;
                }
                case "ptr": {
                    countDnsTerm();
                    String target = t.domainSpec == null ? domain : expandDomain(t.domainSpec, domain);
                    String t2 = TableDnsResolver.normal(target);
                    for (String name : validatedNames()) {
                        String n = TableDnsResolver.normal(name);
                        if (n.equals(t2) || n.endsWith("." + t2)) {
                            return true;
                        }
                    }
                    return false;
                }
                case "exists": {
                    countDnsTerm();
                    String target = expandDomain(t.domainSpec, domain);
                    return !records(target, Type.A).isEmpty();
                }
                default:
                    throw new PermError("unknown mechanism " + t.name);
            }
        }

        private boolean addressMatches(String host, Term t) throws TempError, PermError {
            List<String> addresses = records(host, ipv4 ? Type.A : Type.AAAA);
            for (String a : addresses) {
                InetAddress address = IpAddresses.parse(a);
                if (address != null && IpAddresses.inNetwork(client, address, ipv4 ? t.cidr4 : t.cidr6)) {
                    return true;
                }
            }
            return false;
        }

        /** Records of a mechanism's lookup; counts void lookups (§4.6.4). */
        private List<String> records(String name, Type type) throws TempError, PermError {
            if (!validDomain(name)) {
                // a name that cannot exist in the DNS: treated like NXDOMAIN
                voidLookup(name);
                return List.of();
            }
            DnsAnswer a = dns.lookup(name, type);
            if (a instanceof DnsAnswer.TempFail f) {
                throw new TempError(type + " " + name + ": " + f.reason());
            }
            if (a instanceof DnsAnswer.Records r) {
                return r.values();
            }
            voidLookup(name);
            return List.of();
        }

        private void voidLookup(String name) throws PermError {
            if (++voidLookups > MAX_VOID_LOOKUPS) {
                throw new PermError("more than " + MAX_VOID_LOOKUPS + " void lookups (last: " + name + ")");
            }
        }

        private void countDnsTerm() throws PermError {
            if (++dnsTerms > MAX_DNS_TERMS) {
                throw new PermError("more than " + MAX_DNS_TERMS + " DNS-querying terms");
            }
        }

        /** Names of the client's PTR records that resolve back to it (§5.5); DNS errors just shorten the list. */
        private List<String> validatedNames() {
            DnsAnswer ptr = dns.lookup(IpAddresses.reverseName(client), Type.PTR);
            List<String> result = new ArrayList<>();
            if (!(ptr instanceof DnsAnswer.Records r)) {
                return result;
            }
            List<String> names = r.values().subList(0, Math.min(MAX_NAMES, r.values().size()));
            for (String name : names) {
                DnsAnswer forward = dns.lookup(name, ipv4 ? Type.A : Type.AAAA);
                if (forward instanceof DnsAnswer.Records f) {
                    for (String a : f.values()) {
                        InetAddress address = IpAddresses.parse(a);
                        if (client.equals(address)) {
                            result.add(name);
                            break;
                        }
                    }
                }
            }
            return result;
        }

        private String explain(String expSpec, String domain) {
            try {
                String target = expandDomain(expSpec, domain);
                if (!validDomain(target)) {
                    return "";
                }
                DnsAnswer a = dns.lookup(target, Type.TXT);
                if (!(a instanceof DnsAnswer.Records r) || r.values().size() != 1) {
                    return "";
                }
                String text = r.values().get(0);
                for (int i = 0; i < text.length(); i++) {
                    if (text.charAt(i) < 0x20 || text.charAt(i) > 0x7e) {
                        return "";
                    }
                }
                return expand(text, domain, true);
            } catch (PermError e) {
                return "";
            }
        }

        private String expandDomain(String spec, String domain) throws PermError {
            String d = expand(spec, domain, false);
            if (d.endsWith(".")) {
                d = d.substring(0, d.length() - 1);
            }
            while (d.length() > 253 && d.indexOf('.') > 0) {
                d = d.substring(d.indexOf('.') + 1);
            }
            return d;
        }

        /** Macro expansion of §7. */
        private String expand(String s, String domain, boolean explanation) throws PermError {
            StringBuilder out = new StringBuilder();
            int i = 0;
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c != '%') {
                    out.append(c);
                    i++;
                    continue;
                }
                if (i + 1 >= s.length()) {
                    throw new PermError("lone '%' in '" + s + "'");
                }
                char n = s.charAt(i + 1);
                if (n == '%') {
                    out.append('%');
                    i += 2;
                } else if (n == '_') {
                    out.append(' ');
                    i += 2;
                } else if (n == '-') {
                    out.append("%20");
                    i += 2;
                } else if (n == '{') {
                    int close = s.indexOf('}', i);
                    if (close < 0) {
                        throw new PermError("unterminated macro in '" + s + "'");
                    }
                    out.append(macro(s.substring(i + 2, close), domain, explanation));
                    i = close + 1;
                } else {
                    throw new PermError("bad macro '%" + n + "'");
                }
            }
            return out.toString();
        }

        private String macro(String body, String domain, boolean explanation) throws PermError {
            Matcher m = MACRO_BODY.matcher(body);
            if (!m.matches()) {
                throw new PermError("bad macro '%{" + body + "}'");
            }
            char letter = m.group(1).charAt(0);
            char lower = Character.toLowerCase(letter);
            if ("crt".indexOf(lower) >= 0 && !explanation) {
                throw new PermError("macro '" + letter + "' is only allowed in explanations");
            }
            String value = switch (lower) {
                case 's' -> sender;
                case 'l' -> sender.substring(0, sender.lastIndexOf('@'));
                case 'o' -> sender.substring(sender.lastIndexOf('@') + 1);
                case 'd' -> domain;
                case 'i' -> IpAddresses.dotted(client);
                case 'p' -> ptrName(domain);
                case 'v' -> ipv4 ? "in-addr" : "ip6";
                case 'h' -> heloName;
                case 'c' -> IpAddresses.text(client);
                case 'r' -> "unknown";
                case 't' -> Long.toString(clock.instant().getEpochSecond());
                default -> throw new PermError("bad macro letter '" + letter + "'");
            };
            String digits = m.group(2);
            boolean reverse = !m.group(3).isEmpty();
            String delimiters = m.group(4).isEmpty() ? "." : m.group(4);
            List<String> parts = new ArrayList<>();
            int start = 0;
            for (int i = 0; i <= value.length(); i++) {
                if (i == value.length() || delimiters.indexOf(value.charAt(i)) >= 0) {
                    parts.add(value.substring(start, i));
                    start = i + 1;
                }
            }
            if (reverse) {
                java.util.Collections.reverse(parts);
            }
            if (!digits.isEmpty()) {
                int keep = Integer.parseInt(digits.length() > 3 ? "999" : digits);
                if (keep == 0) {
                    throw new PermError("macro digit 0 in '%{" + body + "}'");
                }
                if (keep < parts.size()) {
                    parts = parts.subList(parts.size() - keep, parts.size());
                }
            }
            String result = String.join(".", parts);
            if (Character.isUpperCase(letter)) {
                result = urlEscape(result);
            }
            return result;
        }

        private String ptrName(String domain) {
            if (validatedPtr == null) {
                List<String> names = validatedNames();
                String d = TableDnsResolver.normal(domain);
                validatedPtr = names.stream().filter(n -> TableDnsResolver.normal(n).equals(d)).findFirst()
                        .or(() -> names.stream().filter(n -> TableDnsResolver.normal(n).endsWith("." + d)).findFirst())
                        .or(() -> names.stream().findFirst()).orElse("unknown");
            }
            return validatedPtr;
        }

        private void checkDomainSpec(String spec) throws PermError {
            checkMacroString(spec, false);
            if (spec.isEmpty()) {
                throw new PermError("empty domain-spec");
            }
            if (spec.endsWith("}")) {
                return;
            }
            String s = spec.endsWith(".") ? spec.substring(0, spec.length() - 1) : spec;
            int dot = s.lastIndexOf('.');
            if (dot < 0 || !TOPLABEL.matcher(s.substring(dot + 1)).matches()) {
                throw new PermError("domain-spec '" + spec + "' does not end with a valid top label");
            }
        }

        private void checkMacroString(String s, boolean explanation) throws PermError {
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c < 0x21 || c > 0x7e) {
                    throw new PermError("bad character in '" + s + "'");
                }
                if (c == '%') {
                    if (i + 1 >= s.length()) {
                        throw new PermError("lone '%' in '" + s + "'");
                    }
                    char n = s.charAt(i + 1);
                    if (n == '{') {
                        int close = s.indexOf('}', i);
                        if (close < 0) {
                            throw new PermError("unterminated macro in '" + s + "'");
                        }
                        Matcher m = MACRO_BODY.matcher(s.substring(i + 2, close));
                        if (!m.matches() || (!explanation && "crtCRT".indexOf(m.group(1).charAt(0)) >= 0)) {
                            throw new PermError("bad macro in '" + s + "'");
                        }
                        i = close;
                    } else if (n == '%' || n == '_' || n == '-') {
                        i++;
                    } else {
                        throw new PermError("bad macro '%" + n + "'");
                    }
                }
            }
        }
    }

    /** RFC 7208 §7.3: upper-case macros escape every character outside RFC 3986 "unreserved". */
    private static String urlEscape(String s) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
                out.append(c);
            } else {
                out.append('%').append(String.format(Locale.ROOT, "%02X", (int) c));
            }
        }
        return out.toString();
    }

    private static final Pattern MACRO_BODY = Pattern.compile("([slodiphcrtvSLODIPHCRTV])(\\d*)([rR]?)([.\\-+,/_=]*)");
}
