package dev.bascule.route;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * One condition of a route on the request beyond host and path: a header, a cookie or a query parameter with
 * an exact value, or a list of methods. Compiled when the snapshot is built, so testing it compiles nothing:
 * header names are lower case already, query names and values are held as the UTF-8 bytes a decoded request
 * is compared with.
 *
 * <p>Immutable and thread-safe; {@link #holds} allocates nothing.
 */
public final class RequestCondition {
    /** What the condition reads. */
    public enum Kind {
        /** One field line of the header has exactly the value (see {@link RequestFields#hasField}). */
        HEADER,
        /** The first cookie of the name has exactly the value ({@link CookieString}). */
        COOKIE,
        /** The first query parameter of the name decodes to exactly the value ({@link QueryString}). */
        QUERY,
        /** The method is one of those listed. */
        METHOD
    }

    private final Kind kind;
    /** The header (lower case), cookie or parameter name; null for {@link Kind#METHOD}. */
    private final String name;
    /** The expected value; null for {@link Kind#METHOD}. */
    private final String value;
    private final byte[] nameBytes;
    private final byte[] valueBytes;
    private final String[] methods;

    private RequestCondition(Kind kind, String name, String value, String[] methods) {
        this.kind = kind;
        this.name = name;
        this.value = value;
        this.methods = methods;
        this.nameBytes = name == null ? null : name.getBytes(StandardCharsets.UTF_8);
        this.valueBytes = value == null ? null : value.getBytes(StandardCharsets.UTF_8);
    }

    /** @param name any case; kept in lower case, as field names ignore case */
    public static RequestCondition header(String name, String value) {
        return new RequestCondition(Kind.HEADER, name.toLowerCase(Locale.ROOT), value, null);
    }

    public static RequestCondition cookie(String name, String value) {
        return new RequestCondition(Kind.COOKIE, name, value, null);
    }

    /** @param name and {@code value} as they read decoded */
    public static RequestCondition query(String name, String value) {
        return new RequestCondition(Kind.QUERY, name, value, null);
    }

    public static RequestCondition method(List<String> methods) {
        if (methods.isEmpty()) {
            throw new IllegalArgumentException("no method");
        }
        return new RequestCondition(Kind.METHOD, null, null, methods.toArray(new String[0]));
    }

    /**
     * @param target the origin-form request target, query included
     */
    public boolean holds(CharSequence target, RequestFields request) {
        return switch (kind) {
            case HEADER -> request.hasField(name, value);
            case COOKIE -> CookieString.firstEquals(request.field("cookie"), name, value);
            case QUERY -> QueryString.firstEquals(target, nameBytes, valueBytes);
            case METHOD -> isListed(request.method());
        };
    }

    private boolean isListed(String method) {
        for (String m : methods) {
            if (m.equals(method)) {
                return true;
            }
        }
        return false;
    }

    /**
     * What the request has where this condition looks, for explaining a miss: the header's first value, the
     * cookie's or the parameter's (decoded), or the method; null when absent. Allocates.
     */
    public String found(CharSequence target, RequestFields request) {
        return switch (kind) {
            case HEADER -> {
                CharSequence v = request.field(name);
                yield v == null ? null : v.toString();
            }
            case COOKIE -> CookieString.first(request.field("cookie"), name);
            case QUERY -> QueryString.first(target, name);
            case METHOD -> request.method();
        };
    }

    public Kind kind() {
        return kind;
    }

    /** The header, cookie or parameter name; null for a method condition. */
    public String name() {
        return name;
    }

    /** The value expected; null for a method condition. */
    public String value() {
        return value;
    }

    /** The methods accepted, for a method condition; empty otherwise. */
    public List<String> methods() {
        return methods == null ? List.of() : List.of(methods);
    }

    @Override
    public String toString() {
        return switch (kind) {
            case HEADER -> "header " + name + ": " + value;
            case COOKIE -> "cookie " + name + "=" + value;
            case QUERY -> "query " + name + "=" + value;
            case METHOD -> "method " + String.join("|", methods);
        };
    }
}
