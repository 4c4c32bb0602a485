package io.rankingcluster.mixer;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.rankingcluster.common.server.Validation;
import io.rankingcluster.core.blend.BlendConfig;
import io.rankingcluster.proto.v1.BlendConfigFile;
import io.rankingcluster.proto.v1.BlendRules;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;

/**
 * The blending rules in force: named configurations from the --blend-config file (reloaded without
 * a restart when the file changes), or one configuration from the command-line flags. A reload that
 * does not parse, breaks a rule, or drops a configuration an experiment arm uses is refused and
 * logged; the previous rules stay in force.
 */
final class BlendSettings implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(BlendSettings.class.getName());

  /** The name of the configuration built from the flags when no file is given. */
  static final String FLAGS = "flags";

  /**
   * One named configuration: the blender's rules, MMR lambda, and the age below which an item is
   * fresh.
   */
  record Named(String name, BlendConfig config, float mmrLambda, long explorationMaxAgeMs) {}

  /** A parsed set of configurations. */
  record Loaded(String defaultName, Map<String, Named> byName) {
    Named get(String name) {
      return byName.get(name == null || name.isEmpty() ? defaultName : name);
    }
  }

  private final AtomicReference<Loaded> current;
  private final Path file;
  private final Set<String> requiredNames;
  private final AtomicLong reloads = new AtomicLong();
  private final AtomicLong refusals = new AtomicLong();
  private volatile FileTime lastModified;
  private volatile long lastSize;
  private ScheduledExecutorService poller;

  private BlendSettings(Loaded loaded, Path file, Set<String> requiredNames) {
    this.current = new AtomicReference<>(loaded);
    this.file = file;
    this.requiredNames = requiredNames;
  }

  /**
   * From the flags (one configuration named {@value #FLAGS}) or, with --blend-config, from that
   * file.
   */
  static BlendSettings of(MixerConfig o, Set<String> armBlendNames) {
    if (o.blendConfig() == null || o.blendConfig().isBlank()) {
      Validation.require(
          armBlendNames.isEmpty(),
          "--experiment-arms name blend configurations "
              + armBlendNames
              + " but no --blend-config file is given");
      Named flags =
          new Named(FLAGS, new BlendConfig(o.kindShare(), true, 5, 1, true), o.mmrLambda(), 0);
      return new BlendSettings(new Loaded(FLAGS, Map.of(FLAGS, flags)), null, armBlendNames);
    }
    Path path = Path.of(o.blendConfig());
    BlendSettings s;
    try {
      s = new BlendSettings(read(path, armBlendNames), path, armBlendNames);
    } catch (IllegalArgumentException e) {
      throw new Validation.ConfigException("--blend-config " + path + ": " + e.getMessage());
    }
    s.remember();
    return s;
  }

  /** The configuration named {@code name}, or the default one for an empty name. */
  Named get(String name) {
    Named n = current.get().get(name);
    return n != null ? n : current.get().get("");
  }

  /** Names of the configurations in force, in order. */
  java.util.List<String> names() {
    return java.util.List.copyOf(current.get().byName().keySet());
  }

  String defaultName() {
    return current.get().defaultName();
  }

  long reloads() {
    return reloads.get();
  }

  long refusals() {
    return refusals.get();
  }

  /** Checks the file every {@code pollMs} (no-op without a file). */
  void start(long pollMs) {
    if (file == null) {
      return;
    }
    poller =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "blend-config-poll");
              t.setDaemon(true);
              return t;
            });
    poller.scheduleWithFixedDelay(this::poll, pollMs, pollMs, TimeUnit.MILLISECONDS);
  }

  /**
   * Reloads the file when its modification time or size changed. Returns true when new rules took
   * effect.
   */
  boolean poll() {
    if (file == null) {
      return false;
    }
    try {
      FileTime modified = Files.getLastModifiedTime(file);
      long size = Files.size(file);
      if (modified.equals(lastModified) && size == lastSize) {
        return false;
      }
      lastModified = modified;
      lastSize = size;
    } catch (IOException e) {
      refusals.incrementAndGet();
      LOG.warning(
          "blend config "
              + file
              + " cannot be read ("
              + e.getMessage()
              + "); keeping the rules in force");
      return false;
    }
    try {
      Loaded loaded = read(file, requiredNames);
      current.set(loaded);
      reloads.incrementAndGet();
      LOG.info(
          () ->
              "blend config reloaded from "
                  + file
                  + ": "
                  + loaded.byName().keySet()
                  + ", default "
                  + loaded.defaultName());
      return true;
    } catch (IllegalArgumentException e) {
      refusals.incrementAndGet();
      LOG.warning(
          "blend config " + file + " refused: " + e.getMessage() + "; keeping the rules in force");
      return false;
    }
  }

  private void remember() {
    try {
      lastModified = Files.getLastModifiedTime(file);
      lastSize = Files.size(file);
    } catch (IOException e) {
      // The next poll retries.
    }
  }

  /** Parses and validates a file; every problem is an IllegalArgumentException naming the field. */
  static Loaded read(Path path, Set<String> requiredNames) {
    String json;
    try {
      json = Files.readString(path, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read: " + e.getMessage());
    }
    return parse(json, requiredNames);
  }

  static Loaded parse(String json, Set<String> requiredNames) {
    BlendConfigFile.Builder b = BlendConfigFile.newBuilder();
    try {
      JsonFormat.parser().merge(json, b);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException(
          "not a BlendConfigFile (see proto/ranking/v1/config.proto): " + e.getMessage());
    }
    BlendConfigFile f = b.build();
    if (f.getConfigsCount() == 0) {
      throw new IllegalArgumentException("configs: at least one named configuration is needed");
    }
    if (!f.getConfigsMap().containsKey(f.getDefaultConfig())) {
      throw new IllegalArgumentException(
          "default_config: '"
              + f.getDefaultConfig()
              + "' is not among configs "
              + f.getConfigsMap().keySet());
    }
    for (String required : requiredNames) {
      if (!f.getConfigsMap().containsKey(required)) {
        throw new IllegalArgumentException(
            "configs: '" + required + "' is used by an experiment arm but missing");
      }
    }
    Map<String, Named> out = new LinkedHashMap<>();
    for (Map.Entry<String, BlendRules> e : new java.util.TreeMap<>(f.getConfigsMap()).entrySet()) {
      out.put(e.getKey(), named(e.getKey(), e.getValue()));
    }
    return new Loaded(f.getDefaultConfig(), Map.copyOf(out));
  }

  private static Named named(String name, BlendRules r) {
    String at = "configs." + name + ".";
    float[] shares = {r.getProductShare(), r.getVideoShare(), r.getLiveStreamShare()};
    float sum = 0;
    for (float share : shares) {
      if (!(share >= 0) || Float.isInfinite(share)) {
        throw new IllegalArgumentException(at + "*_share: must be finite and >= 0, got " + share);
      }
      sum += share;
    }
    if (sum <= 0) {
      throw new IllegalArgumentException(
          at + "product_share, video_share, live_stream_share: all 0; the page needs a mix");
    }
    if (!(r.getMmrDiversity() >= 0 && r.getMmrDiversity() <= 1)) {
      throw new IllegalArgumentException(
          at + "mmr_diversity: must be in [0, 1], got " + r.getMmrDiversity());
    }
    if (r.getLiveWindow() > 1000
        || r.getMaxLiveInWindow() > 1000
        || r.getExplorationSlot() > 1000) {
      throw new IllegalArgumentException(
          at + "live_window, max_live_in_window and exploration_slot must be <= 1000");
    }
    if (r.getExplorationSlot() > 0 && r.getExplorationMaxAgeHours() == 0) {
      throw new IllegalArgumentException(
          at + "exploration_max_age_hours: required when exploration_slot is set");
    }
    // live_window 0 means no window rule: a window of 0 slots constrains nothing.
    BlendConfig config =
        new BlendConfig(
            shares,
            !r.getAllowLiveInFirstSlot(),
            r.getLiveWindow(),
            r.getMaxLiveInWindow(),
            !r.getAllowAdjacentSameSeller(),
            r.getExplorationSlot());
    return new Named(
        name,
        config,
        1f - r.getMmrDiversity(),
        TimeUnit.HOURS.toMillis(r.getExplorationMaxAgeHours()));
  }

  @Override
  public void close() {
    if (poller != null) {
      poller.shutdownNow();
    }
  }
}
