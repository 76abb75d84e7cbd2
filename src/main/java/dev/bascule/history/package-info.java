/**
 * Control plane, read side: the last fifteen minutes of traffic, one sample a second, for the admin API's
 * dashboard ({@code GET /stats}). {@link dev.bascule.history.LiveStats} owns a daemon thread that, every second,
 * reads the recorders of the live snapshot ({@link dev.bascule.history.Recorders}: each route's requests by status
 * and duration histogram, each server's answers, connect failures and response times) and hands them to {@link
 * dev.bascule.history.StatsRing}, which turns the counts' growth since the previous second into rates and
 * quantiles and keeps them in primitive arrays, 900 slots per series.
 *
 * <p>It only reads: the data plane records into lock-free recorders as it always does and never knows this package
 * exists; nothing here runs on an event loop. The ring takes its clocks in its constructor and is driven by
 * {@link dev.bascule.history.StatsRing#sample}, so tests feed it by hand, second by second.
 */
package dev.bascule.history;
