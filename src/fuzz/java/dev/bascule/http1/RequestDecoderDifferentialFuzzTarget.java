package dev.bascule.http1;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.bascule.testing.LeakGuard;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Coverage-guided differential fuzzing of {@link Http1RequestDecoder} against the parsing it replaced (Netty's
 * strict {@code HttpRequestDecoder} plus the old head scanner, {@link ReferenceRequestDecoder}): for every input,
 * with the frontend's limits and with tiny ones, read whole and in random pieces, both must accept and refuse the
 * same requests at the same place, with the same status, and decode the same method, target, version, fields,
 * body and trailers; nothing may escape as an exception and every buffer must be released. The deliberate
 * differences are listed, and allowed, in {@link RequestDecoderDifferential}. Any other difference throws, which
 * Jazzer reports as a finding. Seeds and past findings live in {@code
 * src/fuzz/resources/dev/bascule/http1/RequestDecoderDifferentialFuzzTargetInputs/parse/}; {@code
 * RequestDecoderDifferentialTest} runs them, and seeded mutations of them, in the normal build.
 */
@ExtendWith(LeakGuard.class)
class RequestDecoderDifferentialFuzzTarget {
    @DictionaryFile(resourcePath = "http.dict")
    @FuzzTest(maxDuration = "30s")
    void parse(byte[] input) {
        RequestDecoderDifferential.check(input);
    }

    /** The harness itself: valid pipelined requests are decoded alike, so the comparison is not vacuous. */
    @Test
    void harnessComparesDecodedRequests() {
        byte[] input = ("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nPOST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
                + "POST /3 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\nT: 1\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        RequestDecoderDifferential.Outcome outcome =
                RequestDecoderDifferential.compare(input, RequestDecoderDifferential.FRONTEND, null);
        if (outcome.requests().size() != 3 || outcome.failure() != null) {
            throw new AssertionError("expected three requests, got " + outcome);
        }
        parse(input);
    }
}
