package dev.bascule.route;

/**
 * What a route's header, cookie and method conditions read of a request: the data plane implements it over the
 * request head it received, explain over the request it is asked about, so both decide alike.
 *
 * <p>Implementations read a request that does not change while it is matched; none may allocate per call on
 * the data plane.
 */
public interface RequestFields {
    /** The request method as received (methods are case-sensitive, RFC 9110 9.1). */
    String method();

    /**
     * The value of the first field line named {@code name}, or null when there is none.
     *
     * @param name in lower case; field names are compared without case (RFC 9110 5.1)
     */
    CharSequence field(String name);

    /**
     * Whether one of the field lines named {@code name} has exactly {@code value} (case-sensitive, whitespace
     * around the value not counted, as RFC 9110 5.5 reads it).
     *
     * @param name in lower case
     */
    boolean hasField(String name, String value);
}
