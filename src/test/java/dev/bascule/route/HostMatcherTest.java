package dev.bascule.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Host matching as a route's {@code host:} promises it: exact or leading wildcard, ignoring case, port and a final dot. */
class HostMatcherTest {

    @Test
    void exactHostMatchesOnlyThatName() {
        HostMatcher blue = HostMatcher.of("blue.labs.test");
        assertThat(blue.matches("blue.labs.test")).isTrue();
        assertThat(blue.matches("green.labs.test")).isFalse();
        assertThat(blue.matches("a.blue.labs.test")).as("an exact name is not a suffix").isFalse();
        assertThat(blue.matches("blue.labs.test.evil")).isFalse();
        assertThat(blue.matches("blue.labs.tes")).isFalse();
        assertThat(blue.matches("xblue.labs.test")).isFalse();
    }

    @Test
    void portInTheHostHeaderIsIgnored() {
        HostMatcher blue = HostMatcher.of("blue.labs.test");
        assertThat(blue.matches("blue.labs.test:8080")).isTrue();
        assertThat(blue.matches("blue.labs.test:80")).isTrue();
        // RFC 3986 3.2.3: the port may be empty ("host:")
        assertThat(blue.matches("blue.labs.test:")).isTrue();
        assertThat(blue.matches("blue.labs.test:80x")).as("not a port, so part of the host").isFalse();
        assertThat(blue.matches(":8080")).isFalse();
    }

    @Test
    void caseIsIgnoredOnBothSides() {
        assertThat(HostMatcher.of("blue.labs.test").matches("BLUE.Labs.TEST")).isTrue();
        assertThat(HostMatcher.of("Blue.LABS.test").matches("blue.labs.test")).isTrue();
        assertThat(HostMatcher.of("*.LABS.test").matches("A.labs.TEST:443")).isTrue();
        assertThat(HostMatcher.of("Blue.Labs.Test")).hasToString("blue.labs.test");
    }

    @Test
    void trailingDotNamesTheSameHost() {
        HostMatcher blue = HostMatcher.of("blue.labs.test");
        assertThat(blue.matches("blue.labs.test.")).isTrue();
        assertThat(blue.matches("blue.labs.test.:8080")).isTrue();
        assertThat(blue.matches("blue.labs.test..")).as("one final dot only").isFalse();
        assertThat(HostMatcher.of("*.labs.test").matches("a.labs.test.")).isTrue();
        assertThat(blue.matches(".")).isFalse();
    }

    @Test
    void wildcardMatchesAnyDepthOfSubdomainButNotTheBareSuffix() {
        HostMatcher labs = HostMatcher.of("*.labs.test");
        assertThat(labs.matches("a.labs.test")).isTrue();
        assertThat(labs.matches("a.b.labs.test")).isTrue();
        assertThat(labs.matches("a.labs.test:8443")).isTrue();
        assertThat(labs.matches("labs.test")).as("as nginx's server_name: the bare suffix is not a subdomain").isFalse();
        assertThat(labs.matches(".labs.test")).as("an empty label before the suffix").isFalse();
        assertThat(labs.matches("xlabs.test")).as("the suffix starts at a label boundary").isFalse();
        assertThat(labs.matches("a.labs.test.evil")).isFalse();
        assertThat(labs.matches("labs.test:80")).isFalse();
        assertThat(labs).hasToString("*.labs.test");
    }

    @Test
    void ipv6LiteralIsKeptWholeAndItsPortIgnored() {
        HostMatcher loopback = HostMatcher.of("[::1]");
        assertThat(loopback.matches("[::1]")).isTrue();
        assertThat(loopback.matches("[::1]:8080")).isTrue();
        assertThat(loopback.matches("[::1")).isFalse();
        assertThat(loopback.matches("[::2]:8080")).isFalse();
        assertThat(loopback.matches("::1")).as("a Host header brackets an IPv6 literal (RFC 3986 3.2.2)").isFalse();

        // after the literal only a port may follow, as after a name: "a.test:80x" is no port either
        assertThat(loopback.matches("[::1]evil.test")).isFalse();
        assertThat(loopback.matches("[::1]:80x")).isFalse();
        assertThat(loopback.matches("[::1]:")).isTrue();

        HostMatcher doc = HostMatcher.of("[2001:db8::a]");
        assertThat(doc.matches("[2001:DB8::A]:443")).as("hex digits ignore case").isTrue();
        assertThat(doc.matches("[2001:db8::a]")).isTrue();
        assertThat(doc.matches("[2001:db8::]")).isFalse();
    }

    @Test
    void hostEndFindsThePortOrKeepsTheLiteral() {
        assertThat(HostMatcher.hostEnd("a.test:80")).isEqualTo(6);
        assertThat(HostMatcher.hostEnd("a.test")).isEqualTo(6);
        assertThat(HostMatcher.hostEnd("10.0.0.1")).isEqualTo(8);
        assertThat(HostMatcher.hostEnd("10.0.0.1:9000")).isEqualTo(8);
        assertThat(HostMatcher.hostEnd("[::1]:80")).isEqualTo(5);
        assertThat(HostMatcher.hostEnd("[::1]")).isEqualTo(5);
        assertThat(HostMatcher.hostEnd("[::1")).isEqualTo(4);
        assertThat(HostMatcher.hostEnd("[::1]x")).as("not a port: all of it is the host").isEqualTo(6);
        assertThat(HostMatcher.hostEnd("")).isZero();
    }

    @Test
    void ipv4HostMatchesExactly() {
        HostMatcher ip = HostMatcher.of("10.0.0.1");
        assertThat(ip.matches("10.0.0.1")).isTrue();
        assertThat(ip.matches("10.0.0.1:8080")).isTrue();
        assertThat(ip.matches("10.0.0.10")).isFalse();
        assertThat(ip.matches("110.0.0.1")).isFalse();
    }

    @Test
    void missingOrEmptyHostNeverMatches() {
        assertThat(HostMatcher.of("blue.labs.test").matches(null)).isFalse();
        assertThat(HostMatcher.of("blue.labs.test").matches("")).isFalse();
        assertThat(HostMatcher.of("*.labs.test").matches(null)).isFalse();
        assertThat(HostMatcher.of("*.labs.test").matches("")).isFalse();
    }

    @Test
    void matchesAnyCharSequenceNotOnlyStrings() {
        assertThat(HostMatcher.of("blue.labs.test").matches(new StringBuilder("Blue.labs.test:80"))).isTrue();
    }

    @Test
    void patternIsTrimmed() {
        assertThat(HostMatcher.of("  blue.labs.test ").matches("blue.labs.test")).isTrue();
    }

    @Test
    void wildcardOnlyAsALeadingLabel() {
        assertThatThrownBy(() -> HostMatcher.of("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HostMatcher.of("   ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HostMatcher.of("*")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HostMatcher.of("*.")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HostMatcher.of("*.*.labs.test")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HostMatcher.of("a.*.test")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HostMatcher.of("*labs.test")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HostMatcher.of("labs.*")).isInstanceOf(IllegalArgumentException.class);
    }
}
