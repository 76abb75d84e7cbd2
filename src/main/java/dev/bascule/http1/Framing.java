package dev.bascule.http1;

/**
 * How a request head frames its body (RFC 9112 6), read from the bytes of its Content-Length and
 * Transfer-Encoding values as strictly as Netty's decoder reads them.
 *
 * <p>Threading: stateless.
 */
final class Framing {
    private static final byte[] CHUNKED = FieldLine.ascii("chunked");

    private Framing() {
    }

    /** RFC 9110 8.6: digits only (no sign, no list); -1 when it is not such a number or overflows. */
    static long contentLength(byte[] a, int from, int to) {
        if (from == to) {
            return -1;
        }
        long n = 0;
        for (int i = from; i < to; i++) {
            int d = a[i] - '0';
            if (d < 0 || d > 9 || n > (Long.MAX_VALUE - d) / 10) {
                return -1;
            }
            n = n * 10 + d;
        }
        return n;
    }

    /** Whether the comma-separated codings end with {@code chunked} and name it once (RFC 9112 6.1, 7). */
    static boolean lastCodingIsChunked(byte[] a, int from, int to) {
        boolean seen = false;
        boolean last = false;
        int start = from;
        while (start <= to) {
            int end = start;
            while (end < to && a[end] != ',') {
                end++;
            }
            int next = end + 1;
            while (start < end && (a[start] == ' ' || a[start] == '\t')) {
                start++;
            }
            while (end > start && (a[end - 1] == ' ' || a[end - 1] == '\t')) {
                end--;
            }
            if (start < end) {
                last = end - start == CHUNKED.length && FieldLine.named(a, start, CHUNKED);
                if (last) {
                    if (seen) {
                        return false;
                    }
                    seen = true;
                }
            }
            start = next;
        }
        return last;
    }
}
