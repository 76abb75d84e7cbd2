package dev.bascule.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bascule.control.CommandException;
import org.junit.jupiter.api.Test;

class RequestPathTest {

    @Test
    void splitsThenDecodes() {
        assertThat(RequestPath.segments("/upstreams/web-blue/servers/127.0.0.1%3A9005/drain"))
                .containsExactly("upstreams", "web-blue", "servers", "127.0.0.1:9005", "drain");
        assertThat(RequestPath.segments("/upstreams/u/servers/%5B%3A%3A1%5D%3A9005"))
                .containsExactly("upstreams", "u", "servers", "[::1]:9005");
        assertThat(RequestPath.segments("/upstreams/u/servers/[::1]:9005"))
                .containsExactly("upstreams", "u", "servers", "[::1]:9005");
    }

    @Test
    void anEncodedSlashStaysInItsSegmentAndPlusIsAPlus() {
        assertThat(RequestPath.segments("/a%2Fb/c+d")).containsExactly("a/b", "c+d");
    }

    @Test
    void decodesUtf8() {
        assertThat(RequestPath.segments("/caf%C3%A9")).containsExactly("café");
    }

    @Test
    void dropsQueryAndFragmentAndAcceptsAbsoluteForm() {
        assertThat(RequestPath.segments("/status?pretty=1")).containsExactly("status");
        assertThat(RequestPath.segments("/status#top")).containsExactly("status");
        assertThat(RequestPath.segments("http://admin:9901/status?x")).containsExactly("status");
        assertThat(RequestPath.segments("http://admin:9901")).containsExactly("");
    }

    @Test
    void keepsEmptySegmentsSoATrailingSlashIsAnotherPath() {
        assertThat(RequestPath.segments("/")).containsExactly("");
        assertThat(RequestPath.segments("/status/")).containsExactly("status", "");
    }

    @Test
    void aTargetWithoutAPathHasNoSegments() {
        assertThat(RequestPath.segments("*")).isEmpty();
        assertThat(RequestPath.segments("admin:9901")).isEmpty();
    }

    @Test
    void refusesABrokenEscape() {
        for (String bad : new String[] {"/a%", "/a%3", "/a%G1", "/a%3G"}) {
            assertThatThrownBy(() -> RequestPath.segments(bad)).as(bad)
                    .isInstanceOf(CommandException.class)
                    .satisfies(e -> assertThat(((CommandException) e).status()).isEqualTo(400));
        }
    }
}
