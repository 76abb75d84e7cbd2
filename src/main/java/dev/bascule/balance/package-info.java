/**
 * Balancers: which server of a pool serves a request.
 *
 * <p>Both planes meet here. The <b>control plane</b> builds balancers, through {@link
 * dev.bascule.balance.Balancers#create}, over a health-filtered, immutable candidate list whenever it builds a
 * snapshot, handing each the balancer it replaces so state such as a round robin position carries over. The
 * <b>data plane</b> only reads: it calls {@link dev.bascule.balance.Balancer#pick} once per attempt, from any
 * event loop, with the exchange as {@link dev.bascule.balance.PickContext}, and hashes affinity keys with
 * {@link dev.bascule.balance.AffinityHash}.
 *
 * <p>Entry points: {@link dev.bascule.balance.Balancers} (name to factory registry), {@link
 * dev.bascule.balance.Balancer}, {@link dev.bascule.balance.PickContext}, {@link
 * dev.bascule.balance.AffinityHash}. Strategies, one final class each, named as in the YAML: {@link
 * dev.bascule.balance.RoundRobin}, {@link dev.bascule.balance.LeastConn}, {@link
 * dev.bascule.balance.RandomTwo} (also {@code ewma}: power of two choices over peak-EWMA latency), {@link
 * dev.bascule.balance.Hash}. One level up, {@link dev.bascule.balance.SplitChoice} chooses the side (upstream) of a
 * split route the same way: by turns, exact over each cycle, or by a sticky key with weighted rendezvous hashing.
 *
 * <p>No Netty, no I/O, no locks: {@code pick} touches only per-server atomics and at most one counter.
 */
package dev.bascule.balance;
