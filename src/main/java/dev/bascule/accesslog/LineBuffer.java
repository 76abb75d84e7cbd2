package dev.bascule.accesslog;

import java.io.OutputStream;
import java.util.Arrays;

/**
 * The bytes of the lines not yet written out: a growable array the formats append to and the writer hands to its
 * output in one call per batch.
 *
 * <p>Threading: the writer thread's alone.
 */
final class LineBuffer extends OutputStream {
    private byte[] bytes;
    private int size;

    LineBuffer(int initialCapacity) {
        bytes = new byte[initialCapacity];
    }

    @Override
    public void write(int b) {
        ensure(1);
        bytes[size++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
        ensure(len);
        System.arraycopy(b, off, bytes, size, len);
        size += len;
    }

    /** Appends {@code text}, which must be ASCII. */
    void ascii(String text) {
        int n = text.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            bytes[size++] = (byte) text.charAt(i);
        }
    }

    /** Appends {@code len} ASCII characters of {@code chars}. */
    void ascii(char[] chars, int len) {
        ensure(len);
        for (int i = 0; i < len; i++) {
            bytes[size++] = (byte) chars[i];
        }
    }

    /** Appends {@code value} in decimal. */
    void decimal(long value) {
        if (value < 0) {
            write('-');
            value = -value; // Long.MIN_VALUE is no byte count or status
        }
        ensure(20);
        int start = size;
        do {
            bytes[size++] = (byte) ('0' + value % 10);
            value /= 10;
        } while (value != 0);
        for (int i = start, j = size - 1; i < j; i++, j--) {
            byte t = bytes[i];
            bytes[i] = bytes[j];
            bytes[j] = t;
        }
    }

    int size() {
        return size;
    }

    byte[] array() {
        return bytes;
    }

    /** Forgets everything from {@code length} on: a line that failed halfway is taken back. */
    void truncate(int length) {
        size = length;
    }

    private void ensure(int more) {
        if (size + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
        }
    }
}
