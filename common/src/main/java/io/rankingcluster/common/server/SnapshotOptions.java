package io.rankingcluster.common.server;

import io.rankingcluster.common.snapshot.SnapshotWatcher;
import io.rankingcluster.core.snapshot.Snapshot;
import io.rankingcluster.core.snapshot.SnapshotException;
import io.rankingcluster.core.snapshot.SnapshotReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.logging.Logger;
import picocli.CommandLine.Option;

/**
 * Where a service finds its data and how it follows new versions (a picocli mixin): the snapshot
 * root whose CURRENT version it loads at start, and how often it polls CURRENT for a newer one to
 * swap in.
 */
public final class SnapshotOptions {
  private static final Logger LOG = Logger.getLogger(SnapshotOptions.class.getName());

  /** The root the local cluster builds for the default demo world. */
  public static final String DEFAULT_ROOT = ".cluster/snapshots/demo-s42-i200000-u50000";

  @Option(
      names = "--snapshot-root",
      defaultValue = DEFAULT_ROOT,
      description =
          "Snapshot root folder; the version named by its CURRENT file is loaded, and followed when"
              + " CURRENT changes (default: ${DEFAULT-VALUE}).")
  public Path root;

  @Option(
      names = "--snapshot-poll-seconds",
      defaultValue = "10",
      description =
          "How often CURRENT is checked for a new version to load beside the serving one and swap"
              + " in; 0 disables hot swap (default: ${DEFAULT-VALUE}).")
  public int pollSeconds;

  @Option(
      names = "--snapshot-grace-seconds",
      defaultValue = "60",
      description =
          "How long a replaced version stays loaded for requests pinned to it; memory holds two"
              + " versions meanwhile (default: ${DEFAULT-VALUE}).")
  public int graceSeconds;

  /** Checks ranges; the message names the option and the problem. */
  public void validate() {
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
