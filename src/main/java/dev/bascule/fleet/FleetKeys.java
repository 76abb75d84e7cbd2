package dev.bascule.fleet;

import io.etcd.jetcd.ByteSequence;
import java.nio.charset.StandardCharsets;

/**
 * Where a fleet keeps what it shares in etcd: every key starts with {@code /bascule/<name>/}, so fleets share an
 * etcd cluster without seeing each other, and one prefix watch follows one kind of thing.
 *
 * <p>Immutable.
 */
final class FleetKeys {
    private final String prefix;

    FleetKeys(String prefix) {
        this.prefix = prefix;
    }

    /** The shared config's key. */
    ByteSequence config() {
        return bytes(prefix + "config");
    }

    /** The prefix of the instances' records. */
    String nodesPrefix() {
        return prefix + "nodes/";
    }

    ByteSequence node(String node) {
        return bytes(nodesPrefix() + node);
    }

    /** The prefix under which origins register themselves, {@code <upstream>/servers/<address>} below it. */
    String upstreamsPrefix() {
        return prefix + "upstreams/";
    }

    /** The fleet's runtime state (splits, server changes, rollouts): the state file's JSON. */
    String stateText() {
        return prefix + "state";
    }

    /** The election of the instance that drives the fleet's rollouts. */
    String rolloutDriver() {
        return prefix + "rollout-driver";
    }

    /** Where each instance publishes its totals of every live rollout: {@code <route>/<node>} below it. */
    String figuresPrefix() {
        return prefix + "figures/";
    }

    ByteSequence figures(String route, String node) {
        return bytes(figuresPrefix() + route + "/" + node);
    }

    static ByteSequence bytes(String text) {
        return ByteSequence.from(text, StandardCharsets.UTF_8);
    }

    static String text(ByteSequence bytes) {
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
