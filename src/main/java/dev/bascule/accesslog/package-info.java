/**
 * The access log: one line per finished request, local answers and aborted requests included, as JSON or in
 * Apache's combined format, to standard output, standard error or a file.
 *
 * <p>Between the planes. {@link dev.bascule.accesslog.AccessLog} is a {@link dev.bascule.stats.RecordSink}: exchange
 * events call it on the event loops, where it only copies the record into a preallocated slot of a lock-free ring
 * ({@code RecordRing}) or, when the ring is full, counts the line dropped. Its own writer thread ({@code
 * LogWriter}) formats the lines ({@code JsonFormat}, {@code CombinedFormat}) and writes them in batches, so no
 * event loop ever waits on a disk. The control plane opens a log when a config is put in force, keeps it across
 * reloads that leave {@code access_log} alone, and retires it into its successor when one changes it.
 *
 * <p>No Netty, no config records and no other Bascule package but {@code stats}: what it logs arrives as an {@link
 * dev.bascule.stats.ExchangeRecord}, where and how as an output and a {@link dev.bascule.accesslog.LineFormat}.
 */
package dev.bascule.accesslog;
