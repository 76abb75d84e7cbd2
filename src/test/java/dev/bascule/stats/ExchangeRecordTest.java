package dev.bascule.stats;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ExchangeRecordTest {

    /** An idle keep-alive connection keeps its record: once its listeners ran, it must not keep the strings. */
    @Test
    void forgetTextDropsTheRequestsStringsAndKeepsTheNumbers() {
        ExchangeRecord record = new ExchangeRecord()
                .begin(null, "192.0.2.7", 100)
                .request("GET", "example.test", "/a?b", "HTTP/1.1", "curl/8", "https://ref.test/")
                .requestId("id-1")
                .attempt("10.0.0.1:8080")
                .status(200, null);
        record.received(120).sent(450);

        record.forgetText();

        assertThat(record.clientIp()).isNull();
        assertThat(record.method()).isNull();
        assertThat(record.host()).isNull();
        assertThat(record.target()).isNull();
        assertThat(record.userAgent()).isNull();
        assertThat(record.requestId()).isNull();
        assertThat(record.server()).isNull();
        assertThat(record.status()).isEqualTo(200);
        assertThat(record.hasStatus()).isTrue();
        assertThat(record.bytesIn()).isEqualTo(120);
        assertThat(record.bytesOut()).isEqualTo(450);
    }
}
