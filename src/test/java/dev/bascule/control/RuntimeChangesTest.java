package dev.bascule.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bascule.config.BasculeConfig;
import dev.bascule.state.ReleaseState;
import dev.bascule.state.ServerChange;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The admin API's changes against a file: what each records (and the file's value it overrode), how they apply to
 * the file's routes and servers, and which stand when the file changes.
 */
class RuntimeChangesTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-14T09:00:00Z"), ZoneOffset.UTC);

    private static BasculeConfig file(int blueShare, int weight2, String more) throws Exception {
        return Fixtures.config("""
                listeners: [ { address: 127.0.0.1:8080 } ]
                upstreams:
                  web-blue: { servers: [ { address: 10.0.0.1:80 }, { address: 10.0.0.2:80, weight: %d }%s ] }
                  web-green: { servers: [ { address: 10.0.0.3:80 } ] }
                routes:
                  - name: app
                    split: [ { upstream: web-blue, weight: %d }, { upstream: web-green, weight: %d } ]
                """.formatted(weight2, more, blueShare, 100 - blueShare));
    }

    /** A split's weights in its order, as the control plane passes them. */
    private static Map<String, Integer> split(int blue, int green) {
        Map<String, Integer> w = new LinkedHashMap<>();
        w.put("web-blue", blue);
        w.put("web-green", green);
        return w;
    }

    private static RuntimeChanges changesOver(BasculeConfig file) throws Exception {
        RuntimeChanges c = new RuntimeChanges(CLOCK, Resolver.SYSTEM);
        c.adopt(RuntimeChanges.reconcile(ReleaseState.EMPTY, file, members(file)), members(file));
        return c;
    }

    private static Map<String, List<Member>> members(BasculeConfig file) throws Exception {
        return MemberResolution.resolveMembers(file, Resolver.SYSTEM);
    }

    private static List<String> addresses(Map<String, List<Member>> pools, String upstream) {
        return pools.get(upstream).stream().map(m -> m.address() + "@" + m.weight() + ":" + m.source().label())
                .toList();
    }

    @Test
    void eachChangeRemembersTheFilesValueAndAppliesOverTheFile() throws Exception {
        BasculeConfig file = file(90, 1, "");
        RuntimeChanges c = changesOver(file);
        c.splitSet("app", split(80, 20), split(90, 10));
        c.serverAdded("web-blue", "10.0.0.9:80", 3);
        c.weightSet("web-blue", "10.0.0.2:80", 5);
        c.drainSet("web-blue", "10.0.0.1:80", true);
        c.serverRemoved("web-green", "10.0.0.3:80");

        assertThat(c.state().server("web-blue", "10.0.0.2:80", ServerChange.Kind.WEIGHT).fileWeight()).isEqualTo(1);
        assertThat(c.state().server("web-blue", "10.0.0.9:80", ServerChange.Kind.ADDED).fileWeight()).isNull();
        assertThat(c.state().server("web-green", "10.0.0.3:80", ServerChange.Kind.REMOVED).fileWeight()).isEqualTo(1);
        Map<String, List<Member>> applied = c.apply(members(file), m -> { });
        assertThat(addresses(applied, "web-blue")).containsExactly("10.0.0.1:80@1:config", "10.0.0.2:80@5:config",
                "10.0.0.9:80@3:api");
        assertThat(applied.get("web-green")).isEmpty();
        assertThat(c.drained()).extracting(ServerChange::address).containsExactly("10.0.0.1:80");
        assertThat(c.apply(file).routes().get(0).split().weights()).containsEntry("web-blue", 80);
        assertThat(c.apply(file).routes().get(0).split().sticky()).isNull();

        // Back to the file's value, or the end of an added server, leave nothing behind.
        c.weightSet("web-blue", "10.0.0.2:80", 1);
        c.weightSet("web-blue", "10.0.0.9:80", 4);
        assertThat(c.state().server("web-blue", "10.0.0.9:80", ServerChange.Kind.ADDED).weight()).isEqualTo(4);
        c.serverRemoved("web-blue", "10.0.0.9:80");
        c.drainSet("web-blue", "10.0.0.1:80", false);
        c.splitSet("app", split(90, 10), split(90, 10));
        assertThat(c.state().splits()).isEmpty();
        assertThat(c.state().servers()).extracting(ServerChange::kind).containsExactly(ServerChange.Kind.REMOVED);

        // A removed server of the file added back is the file's again: at another weight, only that is recorded.
        c.serverAdded("web-green", "10.0.0.3:80", 4);
        assertThat(c.state().servers()).extracting(ServerChange::kind).containsExactly(ServerChange.Kind.WEIGHT);
        assertThat(addresses(c.apply(members(file), m -> { }), "web-green")).containsExactly("10.0.0.3:80@4:config");
        c.weightSet("web-green", "10.0.0.3:80", 1);
        assertThat(c.state().isEmpty()).isTrue();
    }

    @Test
    void aChangeStandsUntilTheFileChangesThatSameThing() throws Exception {
        RuntimeChanges c = changesOver(file(90, 1, ""));
        c.splitSet("app", split(80, 20), split(90, 10));
        c.weightSet("web-blue", "10.0.0.2:80", 5);
        c.serverAdded("web-blue", "10.0.0.9:80", 3);
        c.drainSet("web-blue", "10.0.0.1:80", true);
        c.serverRemoved("web-green", "10.0.0.3:80");

        BasculeConfig same = file(90, 1, "");
        RuntimeChanges.Reconciled kept = RuntimeChanges.reconcile(c.state(), same, members(same));
        assertThat(kept.changed()).isFalse();
        assertThat(kept.messages()).isEmpty();

        // The file changes the split and web-blue's weight, and lists the added server: the file wins those.
        BasculeConfig changed = file(70, 4, ", { address: 10.0.0.9:80, weight: 2 }");
        RuntimeChanges.Reconciled after = RuntimeChanges.reconcile(c.state(), changed, members(changed));
        assertThat(after.changed()).isTrue();
        assertThat(after.state().splits()).isEmpty();
        assertThat(after.state().servers()).extracting(ServerChange::kind)
                .containsExactly(ServerChange.Kind.DRAINED, ServerChange.Kind.REMOVED);
        assertThat(after.messages()).hasSize(3);

        // A file that drops the route, the removed server and the drained one leaves nothing to say for the last two.
        BasculeConfig gone = Fixtures.config("""
                listeners: [ { address: 127.0.0.1:8080 } ]
                upstreams:
                  web-blue: { servers: [ { address: 10.0.0.2:80 } ] }
                  web-green: { servers: [ { address: 10.0.0.4:80 } ] }
                routes: [ { upstream: web-blue } ]
                """);
        RuntimeChanges.Reconciled dropped = RuntimeChanges.reconcile(c.state(), gone, members(gone));
        assertThat(dropped.state().isEmpty()).as("the weight of 10.0.0.2 is the file's value again: 1")
                .isFalse();
        assertThat(dropped.state().servers()).extracting(ServerChange::kind).containsExactly(ServerChange.Kind.WEIGHT,
                ServerChange.Kind.ADDED);
        assertThat(dropped.messages()).containsExactly("route 'app': the split set through the admin API (web-blue 80,"
                + " web-green 20) is dropped: the file has no route of that name now");

        // A removed server whose entry the file changed comes back.
        BasculeConfig reweighted = Fixtures.config("""
                listeners: [ { address: 127.0.0.1:8080 } ]
                upstreams:
                  web-blue: { servers: [ { address: 10.0.0.1:80 }, { address: 10.0.0.2:80 } ] }
                  web-green: { servers: [ { address: 10.0.0.3:80, weight: 7 } ] }
                routes: [ { upstream: web-blue } ]
                """);
        RuntimeChanges.Reconciled back = RuntimeChanges.reconcile(c.state(), reweighted, members(reweighted));
        assertThat(back.state().server("web-green", "10.0.0.3:80", ServerChange.Kind.REMOVED)).isNull();
        assertThat(back.messages()).contains("upstream 'web-green' server 10.0.0.3:80: the file changed its entry"
                + " since the admin API removed it (weight 1 then, 7 now): it is back, as the file says");
    }
}
