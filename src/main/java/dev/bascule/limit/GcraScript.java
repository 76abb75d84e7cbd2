package dev.bascule.limit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The check of a global rate limit: GCRA, the generic cell rate algorithm (as {@code route.RateLimiter} runs it
 * locally), on one Redis key that holds the bucket's theoretical arrival time (TAT), in microseconds of Redis's
 * clock. One script, so the read and the write are one atomic step however many instances ask at once.
 *
 * <ul>
 *   <li>The time is Redis's {@code TIME}, not the asker's: instances whose clocks differ still share one timeline.
 *       Redis 7 replicates a script by its effects, so a script may read the time and then write; the call to
 *       {@code redis.replicate_commands} asks for the same on Redis 3.2 to 6.
 *   <li>{@code KEYS[1]} is the bucket; {@code ARGV[1]} the emission interval (microseconds per token) and {@code
 *       ARGV[2]} the tolerance, {@code interval * (burst - 1)}.
 *   <li>The answer is 0 when a token was taken, else the microseconds until one would be.
 *   <li>The key is written with {@code PX} set to when its bucket is full again, so an idle client's key expires
 *       by itself: a missing key and a full bucket mean the same.
 *   <li>Numbers are written with {@code %.0f}: Lua's default conversion keeps 14 digits, and a TAT has 16.
 * </ul>
 *
 * <p>Threading: constants only.
 */
public final class GcraScript {
    public static final String SOURCE = """
            if redis.replicate_commands then redis.replicate_commands() end
            local time = redis.call('TIME')
            local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
            local interval = tonumber(ARGV[1])
            local tolerance = tonumber(ARGV[2])
            local tat = tonumber(redis.call('GET', KEYS[1]))
            if not tat or tat < now then
              tat = now
            end
            local wait = tat - tolerance - now
            if wait > 0 then
              return wait
            end
            tat = tat + interval
            redis.call('SET', KEYS[1], string.format('%.0f', tat), 'PX', string.format('%.0f', math.ceil((tat - now) / 1000)))
            return 0
            """;

    /** The script's SHA-1 in hex, as EVALSHA names it. */
    public static final String SHA1 = sha1Hex(SOURCE);

    private GcraScript() {}

    static String sha1Hex(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
            StringBuilder hex = new StringBuilder(40);
            for (byte b : digest) {
                hex.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
            }
            return hex.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-1", e);
        }
    }

    /** The emission interval in microseconds for {@code ratePerSecond}, at least 1. */
    static long intervalMicros(double ratePerSecond) {
        return Math.max(1, Math.round(1_000_000 / ratePerSecond));
    }
}
