package io.rankingcluster.common.server;

import io.rankingcluster.common.snapshot.SnapshotWatcher;
import io.rankingcluster.core.snapshot.Snapshot;
import io.rankingcluster.core.snapshot.SnapshotException;
import io.rankingcluster.core.snapshot.SnapshotReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.logging.Logger;

/**
 * Where a service finds its data and how it follows new versions: the snapshot root whose CURRENT
 * version it loads at start, how often it polls CURRENT, and how long a replaced version stays.
 * Immutable and validated when built: from the flags ({@link SnapshotOptions#config()}) or, in
 * tests, from flag strings ({@link #parse}); a bad value is a {@link
 * io.rankingcluster.common.server.Validation.ConfigException} naming the flag.
 */
public record SnapshotConfig(Path root, int pollSeconds, int graceSeconds) {
  /** Every value as given, arrays copied; then {@link #validate()}. */
  public SnapshotConfig(Path root, int pollSeconds, int graceSeconds) {
    this.root = root;
    this.pollSeconds = pollSeconds;
    this.graceSeconds = graceSeconds;
    validate();
  }

  /** The documented defaults. */
  public static SnapshotConfig defaults() {
    return parse();
  }

  /** Parses {@code flags} (e.g. {@code "--breaker-window=6"}) over the defaults. */
  public static SnapshotConfig parse(String... flags) {
    return io.rankingcluster.common.server.ServiceMain.parse(new SnapshotOptions(), flags).config();
  }

  private static final Logger LOG = Logger.getLogger(SnapshotOptions.class.getName());

  /** The root the local cluster builds for the default demo world. */
  public static final String DEFAULT_ROOT = ".cluster/snapshots/demo-s42-i200000-u50000";

  /** Checks ranges; the message names the option and the problem. */
  private void validate() {
    Validation.require(
        root != null && !root.toString().isBlank(), "--snapshot-root must not be empty");
    Validation.require(
        pollSeconds >= 0 && pollSeconds <= 86_400,
        "--snapshot-poll-seconds must be in [0, 86400] (0 disables hot swap), was " + pollSeconds);
    Validation.require(
        graceSeconds >= 0 && graceSeconds <= 86_400,
        "--snapshot-grace-seconds must be in [0, 86400], was " + graceSeconds);
  }

  /**
   * Loads and validates the CURRENT snapshot; a missing or invalid one stops the start with a clear
   * message.
   */
  public Snapshot load() {
    Validation.require(
        Files.isDirectory(root),
        "--snapshot-root "
            + root
            + " is not a folder; build a snapshot with"
            + " `java -jar offline/target/offline.jar build-snapshot --root "
            + root
            + "` (or `./cluster start`)");
    long t0 = System.nanoTime();
    try {
      Snapshot s = SnapshotReader.readCurrent(root);
      LOG.info(
          () ->
              String.format(
                  "snapshot %s loaded from %s in %.0f ms: %d items, %d users",
                  s.version(),
                  root,
                  (System.nanoTime() - t0) / 1e6,
                  s.catalog().size(),
                  s.users().size()));
      return s;
    } catch (SnapshotException e) {
      throw new Validation.ConfigException("--snapshot-root " + root + ": " + e.getMessage());
    }
  }

  /**
   * Loads the CURRENT snapshot (as {@link #load()}), builds the service's state from it, and
   * returns a watcher serving that state, not yet polling: call {@link SnapshotWatcher#start()}
   * once the server is SERVING. A state that cannot be built stops the start, naming the root and
   * version.
   */
  public <T> SnapshotWatcher<T> watcher(String service, SnapshotWatcher.StateBuilder<T> builder) {
    Snapshot s = load();
    try {
      return new SnapshotWatcher<>(
          service,
          root,
          s,
          builder,
          Duration.ofSeconds(pollSeconds),
          Duration.ofSeconds(graceSeconds));
    } catch (Validation.ConfigException e) {
      throw e;
    } catch (Exception e) {
      LOG.log(
          java.util.logging.Level.WARNING,
          service + " cannot build its state from snapshot " + s.version(),
          e);
      throw new Validation.ConfigException(
          "--snapshot-root "
              + root
              + ": snapshot "
              + s.version()
              + " cannot be served by "
              + service
              + ": "
              + e);
    }
  }
}
