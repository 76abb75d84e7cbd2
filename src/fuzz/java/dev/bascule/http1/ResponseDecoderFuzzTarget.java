package dev.bascule.http1;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.bascule.testing.LeakGuard;
import io.netty.handler.codec.http.HttpMethod;
import java.util.Arrays;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Coverage-guided fuzzing of Bascule's origin response decoder against Netty's, with the harness of {@code
 * ResponseDecoderDifferentialTest}: the first byte of an input chooses which of up to four requests were HEAD, the
 * rest are the origin's bytes. For every input no exception escapes either codec, every buffer is released, and
 * both make the same responses of them, read whole and in pieces, but for the allowances of {@link
 * ResponseDifferential#compare}. Seeds and past findings live in {@code
 * src/fuzz/resources/dev/bascule/http1/ResponseDecoderFuzzTargetInputs/parse/}.
 */
@ExtendWith(LeakGuard.class)
class ResponseDecoderFuzzTarget {

    @DictionaryFile(resourcePath = "response.dict")
    @FuzzTest(maxDuration = "30s")
    void parse(byte[] input) {
        if (input.length == 0) {
            return;
        }
        HttpMethod[] methods = new HttpMethod[4];
        for (int i = 0; i < methods.length; i++) {
            methods[i] = (input[0] & 1 << i) != 0 ? HttpMethod.HEAD : HttpMethod.GET;
        }
        byte[] response = Arrays.copyOfRange(input, 1, input.length);
        String difference = ResponseDifferential.check(methods, response, Arrays.hashCode(input));
        if (difference != null) {
            throw new AssertionError(difference);
        }
    }
}
