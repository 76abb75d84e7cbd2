package dev.bascule.origin;

import java.io.IOException;

/**
 * Why an origin connection was closed when its response could not be parsed (a malformed status line, an
 * invalid header, Content-Length with Transfer-Encoding, a bad chunk). The request did reach the origin, so it
 * must not be sent again as if the connection had merely gone stale.
 */
public final class MalformedResponseException extends IOException {
    MalformedResponseException(Throwable cause) {
        super("malformed response from origin: " + cause.getMessage(), cause);
    }
}
