/**
 * Request correlation, beside the data plane: {@link dev.bascule.trace.RequestIds} (what an {@code X-Request-Id}
 * may hold), {@link dev.bascule.trace.TraceParent} (the W3C {@code traceparent} field, read and written without
 * allocating), {@link dev.bascule.trace.Sampler} (which requests are traced), and {@link
 * dev.bascule.trace.SpanExport}, the exchange-events sink that sends a span for each sampled request to an
 * OpenTelemetry collector (OTLP/HTTP), batched on a thread of its own.
 *
 * <p>No Netty here: the proxy applies these rules to its headers. Only this package uses the OpenTelemetry SDK;
 * the control plane builds and stops the exporter, and the data plane reaches it through the snapshot's exchange
 * events.
 */
package dev.bascule.trace;
