/**
 * What the data plane did, counted: lock-free recorders written on the event loops and read when scraped (the
 * metrics, the dashboard's one-second samples, the rollout guard), plus {@link dev.bascule.stats.ExchangeRecord},
 * the account of one request that exchange events carry to their listeners.
 *
 * <p>Neither plane: no Netty, no I/O. Recorders live as long as what they count ({@link
 * dev.bascule.stats.StatsRegistry} keeps them across reloads); the snapshot carries resolved handles, so a request
 * never looks a series up.
 */
package dev.bascule.stats;
