package dev.bascule.config;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * Reads a Bascule YAML file into a validated {@link BasculeConfig}, or rejects it with every problem found,
 * each located at a line and column ({@code labs.yaml:12:5: unknown upstream 'web-red'}).
 *
 * <p>Strict: unknown keys, duplicate keys, wrong types and dangling references are errors, never ignored.
 * Defaults are those of {@link TimeoutsConfig#DEFAULTS}, {@link LimitsConfig#DEFAULTS} and the format described
 * in {@code examples/labs.yaml}. Relative file paths in the config (certificates, keys, CAs, the admin token) are
 * resolved against the config file's folder; the files are not read here but when the config is put in force
 * ({@link AdminToken#read} for the token).
 *
 * <p>Threading: immutable and safe to share; {@link #load} does blocking file I/O, so call it on a control-plane
 * thread, never on an event loop.
 */
public final class ConfigLoader {
    private final Set<String> balancerNames;

    /** @param balancerNames the strategies {@code balancer:} may name (the balance registry's keys) */
    public ConfigLoader(Set<String> balancerNames) {
        this.balancerNames = Set.copyOf(balancerNames);
    }

    /**
     * Reads and validates {@code file} (UTF-8). Errors name the file as given.
     *
     * @throws ConfigException when the file cannot be read or the config is invalid
     */
    public BasculeConfig load(Path file) throws ConfigException {
        String name = file.toString();
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(List.of(new ConfigError(name, 1, 1, "cannot read config: " + describe(e))));
        }
        Path folder = file.toAbsolutePath().getParent();
        Path base = folder != null ? folder : Path.of("").toAbsolutePath();
        return parse(text, name, base, base.resolve(stateFileName(file)));
    }

    /**
     * The default {@code state_file} of a config file: its name with the extension replaced, {@code labs.yaml}
     * becoming {@code labs.state.json}, beside it.
     */
    static String stateFileName(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return (dot > 0 ? name.substring(0, dot) : name) + ".state.json";
    }

    /**
     * Validates YAML text.
     *
     * @param fileName names the source in errors and in {@link BasculeConfig#source()}; relative paths in the
     *     config are resolved against its folder, or the working directory when it names none. Text keeps no
     *     runtime state unless it writes {@code state_file}: there is no file to keep it beside
     * @throws ConfigException listing every problem, sorted by position
     */
    public BasculeConfig parse(String yamlText, String fileName) throws ConfigException {
        return parse(yamlText, fileName, folderOf(fileName), null);
    }

    /**
     * Validates the config a fleet shares through etcd ({@code ./bascule push}): as a file, but {@code listeners},
     * {@code upstreams} and {@code routes} may each be left out (each instance's own file may give them), and no
     * runtime state is kept beside it (a fleet keeps it in etcd).
     *
     * @param name names the source in errors, such as {@code etcd:/bascule/labs/config@42}
     * @param baseDir the instance's config folder: relative paths (certificates) are resolved on each instance
     */
    public BasculeConfig parseShared(String yamlText, String name, Path baseDir) throws ConfigException {
        return parse(yamlText, name, baseDir, null, true);
    }

    /**
     * Validates YAML text that is kept nowhere as a file (the demo's, from the jar), with where its runtime state
     * goes unless it writes {@code state_file}.
     *
     * @param defaultStateFile the {@code state_file} when the text writes none; null: no runtime state is kept
     */
    public BasculeConfig parse(String yamlText, String fileName, Path defaultStateFile) throws ConfigException {
        return parse(yamlText, fileName, folderOf(fileName), defaultStateFile);
    }

    /** @param defaultStateFile the {@code state_file} when the text writes none; null: no runtime state is kept */
    private BasculeConfig parse(String yamlText, String fileName, Path baseDir, Path defaultStateFile)
            throws ConfigException {
        return parse(yamlText, fileName, baseDir, defaultStateFile, false);
    }

    /** @param shared the fleet's shared config, whose sections an instance's file may complete */
    private BasculeConfig parse(String yamlText, String fileName, Path baseDir, Path defaultStateFile, boolean shared)
            throws ConfigException {
        Problems problems = new Problems(fileName);
        // A UTF-8 byte order mark is legal at the start of a YAML stream; do not let it become part of a key.
        String text = yamlText.startsWith("\uFEFF") ? yamlText.substring(1) : yamlText;
        YamlNode root = new YamlTreeReader(problems).read(text);
        BasculeConfig config = new ConfigBinder(problems, balancerNames, baseDir, defaultStateFile, shared)
                .bind(root, fileName);
        problems.throwIfAny();
        return config;
    }

    /** The absolute folder of {@code fileName}; the working directory for a bare name or a name such as {@code <demo>}. */
    private static Path folderOf(String fileName) {
        Path folder;
        try {
            folder = Path.of(fileName).getParent();
        } catch (InvalidPathException e) {
            folder = null; // a label rather than a path
        }
        return (folder != null ? folder : Path.of("")).toAbsolutePath();
    }

    /** An I/O failure as a config error says it: "no such file", "permission denied", ... */
    static String describe(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof CharacterCodingException) {
            return "not valid UTF-8";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
