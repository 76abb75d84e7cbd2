package dev.bascule;

import dev.bascule.config.BasculeConfig;
import dev.bascule.config.ClusterConfig;
import dev.bascule.config.ConfigException;
import dev.bascule.config.ConfigLoader;
import dev.bascule.fleet.ConfigPush;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./bascule push -c FILE [--cluster BOOT.yaml]}: validates a config and stores it in etcd as the fleet's new
 * version; every instance of the fleet reloads it. The fleet is found through FILE's {@code cluster} section, or
 * through BOOT.yaml's when FILE has none.
 */
@Command(name = "push", mixinStandardHelpOptions = true,
        description = {"Validate a config and store it in etcd as the fleet's new version; every instance of the"
                + " fleet reloads it.",
                "While etcd has no leader or cannot be reached, it tries again for up to the cluster's dial_timeout"
                        + " + 15 s.",
                "Exits 0 when stored, 1 on an error in the config (FILE:LINE:COLUMN: message), 2 when etcd did not"
                        + " take it."})
public final class Push implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, required = true, description = "the config to push (YAML)")
    Path config;

    @Option(names = "--cluster", description = "a config whose 'cluster' section says where the fleet is (default:"
            + " the pushed file's own)")
    Path clusterFile;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        ConfigLoader loader = Main.loader();
        String text;
        ClusterConfig cluster;
        try {
            text = Files.readString(config, StandardCharsets.UTF_8);
            Path base = config.toAbsolutePath().getParent();
            BasculeConfig pushed = loader.parseShared(text, config.toString(), base);
            cluster = pushed.cluster();
            if (clusterFile != null) {
                cluster = loader.load(clusterFile).cluster();
                if (cluster == null) {
                    err.println(clusterFile + ": no 'cluster' section: it cannot say where the fleet is");
                    return 1;
                }
            }
        } catch (ConfigException e) {
            Main.printErrors(e, err);
            return 1;
        } catch (IOException e) {
            err.println(config + ": cannot read config: " + e.getMessage());
            return 1;
        }
        if (cluster == null) {
            err.println(config + ": no 'cluster' section: give one, or --cluster BOOT.yaml, to say where the fleet"
                    + " is");
            return 1;
        }
        try {
            long revision = ConfigPush.push(cluster, text);
            spec.commandLine().getOut().println(config + ": pushed to fleet " + cluster.name() + " as revision "
                    + revision);
            return 0;
        } catch (IOException e) {
            err.println(e.getMessage());
            return 2;
        }
    }
}
