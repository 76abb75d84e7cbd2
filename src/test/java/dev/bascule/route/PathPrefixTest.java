package dev.bascule.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Segment-aware path prefixes and the strip_prefix rewrite. */
class PathPrefixTest {

    @Test
    void matchesWholeSegmentsOnly() {
        PathPrefix blue = PathPrefix.of("/blue");
        assertThat(blue.matches("/blue")).isTrue();
        assertThat(blue.matches("/blue/")).isTrue();
        assertThat(blue.matches("/blue/x")).isTrue();
        assertThat(blue.matches("/blue/x/y?z=1")).isTrue();
        assertThat(blue.matches("/blue?q")).isTrue();
        assertThat(blue.matches("/blue?")).isTrue();
        assertThat(blue.matches("/blue#top")).isTrue();
        assertThat(blue.matches("/bluex")).as("a longer segment").isFalse();
        assertThat(blue.matches("/blue-green")).isFalse();
        assertThat(blue.matches("/blu")).isFalse();
        assertThat(blue.matches("/")).isFalse();
        assertThat(blue.matches("")).isFalse();
        assertThat(blue.matches("/x/blue")).as("a prefix, not a substring").isFalse();
    }

    @Test
    void pathsAreCaseSensitive() {
        // RFC 3986 6.2.2.1: only scheme and host are case-insensitive
        assertThat(PathPrefix.of("/blue").matches("/Blue")).isFalse();
        assertThat(PathPrefix.of("/blue").matches("/BLUE/x")).isFalse();
    }

    @Test
    void multiSegmentPrefix() {
        PathPrefix api = PathPrefix.of("/api/v1");
        assertThat(api.matches("/api/v1")).isTrue();
        assertThat(api.matches("/api/v1/users")).isTrue();
        assertThat(api.matches("/api/v10")).isFalse();
        assertThat(api.matches("/api")).isFalse();
        assertThat(api.matches("/api/")).isFalse();
    }

    @Test
    void rootMatchesEveryOriginFormTarget() {
        PathPrefix root = PathPrefix.of("/");
        assertThat(root.matches("/")).isTrue();
        assertThat(root.matches("/anything/at/all?q")).isTrue();
        assertThat(root.matches("/?q")).isTrue();
        assertThat(root.matches("")).isFalse();
        assertThat(root.matches("*")).as("asterisk-form is not a path (RFC 9112 3.2.4)").isFalse();
        assertThat(root.matches("http://a.test/")).as("absolute-form is not a path").isFalse();
    }

    @Test
    void trailingSlashesOfThePrefixAreDropped() {
        assertThat(PathPrefix.of("/blue/").value()).isEqualTo("/blue");
        assertThat(PathPrefix.of("/blue///").value()).isEqualTo("/blue");
        assertThat(PathPrefix.of("/blue/").matches("/blue")).isTrue();
        assertThat(PathPrefix.of("/blue/").matches("/bluex")).isFalse();
        assertThat(PathPrefix.of("///").value()).isEqualTo("/");
        assertThat(PathPrefix.of("/").value()).isEqualTo("/");
        assertThat(PathPrefix.of("/blue/")).hasToString("/blue");
    }

    @Test
    void aPrefixMustBeAPath() {
        assertThatThrownBy(() -> PathPrefix.of("blue")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PathPrefix.of("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PathPrefix.of(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PathPrefix.of("*")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void stripLeavesAnOriginFormTarget() {
        PathPrefix blue = PathPrefix.of("/blue");
        assertThat(blue.strip("/blue/x?y")).isEqualTo("/x?y");
        assertThat(blue.strip("/blue/x/y")).isEqualTo("/x/y");
        assertThat(blue.strip("/blue")).isEqualTo("/");
        assertThat(blue.strip("/blue/")).isEqualTo("/");
        assertThat(blue.strip("/blue?q=1")).as("the query stays, after a root path").isEqualTo("/?q=1");
        assertThat(blue.strip("/blue#f")).isEqualTo("/#f");
        assertThat(PathPrefix.of("/api/v1").strip("/api/v1/users?id=7")).isEqualTo("/users?id=7");
        assertThat(PathPrefix.of("/blue/").strip("/blue/x")).isEqualTo("/x");
    }

    @Test
    void strippingTheRootChangesNothing() {
        PathPrefix root = PathPrefix.of("/");
        assertThat(root.strip("/")).isEqualTo("/");
        assertThat(root.strip("/x/y?z")).isEqualTo("/x/y?z");
    }

    @Test
    void matchesAnyCharSequence() {
        assertThat(PathPrefix.of("/blue").matches(new StringBuilder("/blue/x"))).isTrue();
    }
}
