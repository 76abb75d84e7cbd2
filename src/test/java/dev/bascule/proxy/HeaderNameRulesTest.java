package dev.bascule.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.control.UnderscoreHeaders;
import dev.bascule.proxy.HeaderNameRules.Verdict;
import io.netty.util.AsciiString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which request header names fold into a protected one, and what each underscore policy does with the rest. */
class HeaderNameRulesTest {

    @ParameterizedTest
    @ValueSource(strings = {"Transfer_Encoding", "Content__Length", "Transfer---Encoding", "X_Forwarded_For",
        "content_length", "CONTENT-_LENGTH", "Transfer_-_Encoding", "X-Forwarded_Host", "x_forwarded_proto",
        "X--Forwarded--For", "X_Forwarded_Port", "X_Forwarded_", "Proxy_Authorization", "Keep_Alive",
        "Proxy_Connection", "proxy__authenticate"})
    void lookAlikesOfProtectedNamesAreAlwaysDropped(String name) {
        assertThat(HeaderNameRules.mayFold(name)).isTrue();
        assertThat(HeaderNameRules.foldsIntoProtected(name)).isTrue();
        for (UnderscoreHeaders policy : UnderscoreHeaders.values()) {
            assertThat(HeaderNameRules.judge(name, policy)).as("%s under %s", name, policy)
                    .isEqualTo(Verdict.DROP_LOOKALIKE);
        }
        // Names as Netty's decoder makes them.
        assertThat(HeaderNameRules.judge(new AsciiString(name), UnderscoreHeaders.ALLOW))
                .isEqualTo(Verdict.DROP_LOOKALIKE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Transfer-Encoding", "content-length", "HOST", "X-Forwarded-For", "Connection", "TE",
        "Accept", "X-Request-Id", "Sec-Fetch-Mode", "a", "-", "x-forwarded"})
    void ordinaryNamesCostOnePassAndAreKept(String name) {
        assertThat(HeaderNameRules.mayFold(name)).isFalse();
        for (UnderscoreHeaders policy : UnderscoreHeaders.values()) {
            assertThat(HeaderNameRules.judge(name, policy)).isEqualTo(Verdict.KEEP);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"_Transfer_Encoding", "Transfer_Encodings", "Content_Length_", "Content_Type",
        "X_Forwarded", "X_Custom", "Host_", "T_E", "Trans_fer-Encoding", "Upgrade_Insecure_Requests"})
    void otherNamesWithAnUnderscoreFollowThePolicy(String name) {
        assertThat(HeaderNameRules.foldsIntoProtected(name)).as(name).isFalse();
        assertThat(HeaderNameRules.judge(name, UnderscoreHeaders.ALLOW)).isEqualTo(Verdict.KEEP);
        assertThat(HeaderNameRules.judge(name, UnderscoreHeaders.DROP)).isEqualTo(Verdict.DROP);
        assertThat(HeaderNameRules.judge(name, UnderscoreHeaders.REJECT)).isEqualTo(Verdict.REJECT);
    }

    @Test
    void aDoubleHyphenWithoutUnderscoreIsKeptUnlessItIsALookAlike() {
        for (UnderscoreHeaders policy : UnderscoreHeaders.values()) {
            assertThat(HeaderNameRules.judge("X--Custom", policy)).isEqualTo(Verdict.KEEP);
            assertThat(HeaderNameRules.judge("Content--Length", policy)).isEqualTo(Verdict.DROP_LOOKALIKE);
        }
    }

    @Test
    void theQuickScanLooksForAnUnderscoreOrTwoHyphensInARow() {
        assertThat(HeaderNameRules.mayFold("a-b-c")).isFalse();
        assertThat(HeaderNameRules.mayFold("a--b")).isTrue();
        assertThat(HeaderNameRules.mayFold("ab_")).isTrue();
        assertThat(HeaderNameRules.mayFold("")).isFalse();
    }
}
