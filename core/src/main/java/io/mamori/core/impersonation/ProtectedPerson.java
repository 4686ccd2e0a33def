package io.mamori.core.impersonation;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A person whose name others may borrow (an executive, the head of accounting), with the addresses they really
 * write from.
 *
 * @param displayName the name as people know it, e.g. {@code 山田 太郎} or {@code Taro Yamada}
 * @param addresses   their own mail addresses; kept lower-case
 * @param aliases     other names they are known by (the kana reading {@code ヤマダ タロウ}, a romanised name),
 *                    matched as the display name is
 */
public record ProtectedPerson(String displayName, Set<String> addresses, List<String> aliases) {

    public ProtectedPerson {
        Objects.requireNonNull(displayName, "displayName");
        addresses = addresses.stream().map(a -> a.strip().toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
        aliases = List.copyOf(aliases);
    }

    /** A person known by one name. */
    public ProtectedPerson(String displayName, Set<String> addresses) {
        this(displayName, addresses, List.of());
    }
}
