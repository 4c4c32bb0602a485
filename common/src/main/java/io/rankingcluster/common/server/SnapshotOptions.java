package io.rankingcluster.common.server;

import io.rankingcluster.core.snapshot.Snapshot;
import io.rankingcluster.core.snapshot.SnapshotException;
import io.rankingcluster.core.snapshot.SnapshotReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Logger;
import picocli.CommandLine.Option;

/** Where a service finds its data: the snapshot root whose CURRENT version it loads (a picocli mixin). */
public final class SnapshotOptions {
  private static final Logger LOG = Logger.getLogger(SnapshotOptions.class.getName());

  /** The root the local cluster builds for the default demo world. */
  public static final String DEFAULT_ROOT = ".cluster/snapshots/demo-s42-i200000-u50000";

  @Option(names = "--snapshot-root", defaultValue = DEFAULT_ROOT,
      description = "Snapshot root folder; the version named by its CURRENT file is loaded (default: ${DEFAULT-VALUE}).")
  public Path root;

  /** Loads and validates the CURRENT snapshot; a missing or invalid one stops the start with a clear message. */
  public Snapshot load() {
    Validation.require(Files.isDirectory(root), "--snapshot-root " + root + " is not a folder; build a snapshot with"
        + " `java -jar offline/target/offline.jar build-snapshot --root " + root + "` (or `./cluster start`)");
    long t0 = System.nanoTime();
    try {
      Snapshot s = SnapshotReader.readCurrent(root);
      LOG.info(() -> String.format("snapshot %s loaded from %s in %.0f ms: %d items, %d users", s.version(), root,
          (System.nanoTime() - t0) / 1e6, s.catalog().size(), s.users().size()));
      return s;
    } catch (SnapshotException e) {
      throw new Validation.ConfigException("--snapshot-root " + root + ": " + e.getMessage());
    }
  }
}
