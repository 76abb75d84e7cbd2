package dev.bascule.http1;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * The fields of an {@link Http1Headers} in order, received ones first; each entry is a snapshot, setting its value
 * is not supported. Names and values as Strings, or as the CharSequences they were added as.
 *
 * <p>Threading: as its headers, on the message's event loop.
 */
final class Http1HeaderFields<T extends CharSequence> implements Iterator<Map.Entry<T, T>> {
    private final Http1Headers headers;
    private final boolean strings;
    private final int received;
    private int next = -1;

    Http1HeaderFields(Http1Headers headers, boolean strings) {
        this.headers = headers;
        this.strings = strings;
        this.received = headers.receivedCount();
        advance();
    }

    /** Every field as a name and value, in order. */
    static List<Map.Entry<String, String>> entries(Http1Headers headers) {
        if (headers.isEmpty()) {
            return Collections.emptyList();
        }
        List<Map.Entry<String, String>> list = new ArrayList<>(headers.size());
        Iterator<Map.Entry<String, String>> it = headers.iterator();
        while (it.hasNext()) {
            list.add(it.next());
        }
        return list;
    }

    /** The names, each once, in the order they first occur. */
    static Set<String> names(Http1Headers headers) {
        Set<String> names = new LinkedHashSet<>();
        Iterator<Map.Entry<String, String>> it = headers.iterator();
        while (it.hasNext()) {
            names.add(it.next().getKey());
        }
        return names;
    }

    private void advance() {
        next++;
        while (next < received + headers.addedCount() && !at(next)) {
            next++;
        }
    }

    private boolean at(int index) {
        return index < received ? headers.present(index) : headers.addedName(index - received) != null;
    }

    @Override
    public boolean hasNext() {
        return next < received + headers.addedCount();
    }

    @Override
    @SuppressWarnings("unchecked")
    public Map.Entry<T, T> next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        int i = next;
        advance();
        CharSequence name;
        CharSequence value;
        if (i < received) {
            name = headers.receivedName(i);
            value = headers.receivedValue(i);
        } else {
            name = headers.addedName(i - received);
            value = headers.addedValue(i - received);
            if (strings) {
                name = name.toString();
                value = value.toString();
            }
        }
        return (Map.Entry<T, T>) new AbstractMap.SimpleImmutableEntry<>(name, value);
    }
}
