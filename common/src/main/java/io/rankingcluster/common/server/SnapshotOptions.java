package io.rankingcluster.common.server;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Where a service finds its data and how it follows new versions (a picocli mixin): the snapshot
 * root whose CURRENT version it loads at start, and how often it polls CURRENT for a newer one to
 * swap in.
 */
public final class SnapshotOptions {
  @Option(
      names = "--snapshot-root",
      defaultValue = SnapshotConfig.DEFAULT_ROOT,
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

  /** The parsed values as an immutable, validated {@link SnapshotConfig}. */
  public SnapshotConfig config() {
    return new SnapshotConfig(root, pollSeconds, graceSeconds);
  }
}
