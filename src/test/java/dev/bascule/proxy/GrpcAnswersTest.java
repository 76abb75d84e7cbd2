package dev.bascule.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import org.junit.jupiter.api.Test;

/** The gRPC side of Bascule's own answers: which calls are gRPC, which status for what, and deadlines. */
class GrpcAnswersTest {

    @Test
    void grpcIsTheContentTypeAndItsSubtypes() {
        assertThat(GrpcAnswers.isGrpc(new DefaultHttpHeaders().set("content-type", "application/grpc"))).isTrue();
        assertThat(GrpcAnswers.isGrpc(new DefaultHttpHeaders().set("content-type", "application/grpc+proto"))).isTrue();
        assertThat(GrpcAnswers.isGrpc(new DefaultHttpHeaders().set("content-type", "Application/GRPC"))).isTrue();
        assertThat(GrpcAnswers.isGrpc(new DefaultHttpHeaders().set("content-type", "application/grpc-web"))).isFalse();
        assertThat(GrpcAnswers.isGrpc(new DefaultHttpHeaders().set("content-type", "application/json"))).isFalse();
        assertThat(GrpcAnswers.isGrpc(new DefaultHttpHeaders())).isFalse();
    }

    @Test
    void eachLocalFailureHasTheGrpcStatusClientsExpect() {
        assertThat(GrpcAnswers.statusFor(HttpResponseStatus.SERVICE_UNAVAILABLE)).isEqualTo(14);
        assertThat(GrpcAnswers.statusFor(HttpResponseStatus.BAD_GATEWAY)).isEqualTo(14);
        assertThat(GrpcAnswers.statusFor(HttpResponseStatus.GATEWAY_TIMEOUT)).isEqualTo(4);
        assertThat(GrpcAnswers.statusFor(HttpResponseStatus.NOT_FOUND)).isEqualTo(12);
        assertThat(GrpcAnswers.statusFor(HttpResponseStatus.TOO_MANY_REQUESTS)).isEqualTo(8);
        assertThat(GrpcAnswers.statusFor(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE)).isEqualTo(8);
        assertThat(GrpcAnswers.statusFor(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE)).isEqualTo(8);
        assertThat(GrpcAnswers.statusFor(HttpResponseStatus.FORBIDDEN)).isEqualTo(7);
        assertThat(GrpcAnswers.statusFor(HttpResponseStatus.BAD_REQUEST)).isEqualTo(13);
    }

    @Test
    void aTrailersOnlyAnswerIsA200WithTheStatusInItsOnlyHeaderBlock() {
        FullHttpResponse r = GrpcAnswers.trailersOnly(HttpResponseStatus.FORBIDDEN);
        try {
            assertThat(r.status().code()).isEqualTo(200);
            assertThat(r.content().readableBytes()).isZero();
            assertThat(r.trailingHeaders().isEmpty()).as("so HTTP/2 sends one HEADERS frame with END_STREAM").isTrue();
            assertThat(r.headers().get("content-type")).isEqualTo("application/grpc");
            assertThat(r.headers().get("grpc-status")).isEqualTo("7");
            assertThat(r.headers().get("grpc-message")).isEqualTo("bascule: 403 Forbidden");
        } finally {
            r.release();
        }
        LastHttpContent t = GrpcAnswers.failedTrailers(HttpResponseStatus.BAD_GATEWAY);
        assertThat(t.trailingHeaders().get("grpc-status")).isEqualTo("14");
        t.release();
    }

    @Test
    void grpcTimeoutParsesEveryUnitAndRefusesMalformedValues() {
        assertThat(GrpcAnswers.timeoutNanos("1H")).isEqualTo(3_600_000_000_000L);
        assertThat(GrpcAnswers.timeoutNanos("2M")).isEqualTo(120_000_000_000L);
        assertThat(GrpcAnswers.timeoutNanos("3S")).isEqualTo(3_000_000_000L);
        assertThat(GrpcAnswers.timeoutNanos("250m")).isEqualTo(250_000_000L);
        assertThat(GrpcAnswers.timeoutNanos("7u")).isEqualTo(7_000L);
        assertThat(GrpcAnswers.timeoutNanos("99999999n")).isEqualTo(99_999_999L);
        assertThat(GrpcAnswers.timeoutNanos("123456789S")).as("at most 8 digits").isEqualTo(-1);
        assertThat(GrpcAnswers.timeoutNanos("10")).isEqualTo(-1);
        assertThat(GrpcAnswers.timeoutNanos("1x")).isEqualTo(-1);
        assertThat(GrpcAnswers.timeoutNanos("-1S")).isEqualTo(-1);
        assertThat(GrpcAnswers.timeoutNanos(null)).isEqualTo(-1);
        assertThat(GrpcAnswers.timeoutValue(1_500_000_000L)).isEqualTo("1500m");
        assertThat(GrpcAnswers.timeoutValue(10)).as("never 0: that would be an expired deadline").isEqualTo("1m");
        assertThat(GrpcAnswers.timeoutValue(200_000_000_000_000L)).isEqualTo("200000S");
    }
}
