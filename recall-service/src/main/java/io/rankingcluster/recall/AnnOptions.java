package io.rankingcluster.recall;

import io.rankingcluster.common.server.Validation;
import io.rankingcluster.core.ann.HnswIndex;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * How a shard answers the ANN channel (a picocli mixin): an HNSW index (default), loaded from a
 * cache file or built at start and cached, or the exact scan. docs/benchmarks.md shows what the
 * parameters cost.
 */
public final class AnnOptions {
  /** The two implementations of the ANN channel. */
  public enum Kind {
    hnsw,
    exact
  }

  @Option(
      names = "--ann",
      defaultValue = "hnsw",
      description =
          "ANN channel implementation: hnsw (index) or exact (scan every item) (default:"
              + " ${DEFAULT-VALUE}).")
  public Kind kind;

  @Option(
      names = "--ann-ef-search",
      defaultValue = "100",
      description =
          "HNSW candidate list per graph search; raised to the channel's limit if smaller"
              + " (default: ${DEFAULT-VALUE}).")
  public int efSearch;

  @Option(
      names = "--ann-m",
      defaultValue = "16",
      description =
          "HNSW neighbours per node (2x on the bottom level) (default: ${DEFAULT-VALUE}).")
  public int m;

  @Option(
      names = "--ann-ef-construction",
      defaultValue = "100",
      description = "HNSW candidate list while building (default: ${DEFAULT-VALUE}).")
  public int efConstruction;

  @Option(
      names = "--ann-tier-ratio",
      defaultValue = "2",
      description =
          "Largest ratio of vector norms within one index tier; 0 = one graph (default:"
              + " ${DEFAULT-VALUE}).")
  public int tierRatio;

  @Option(
      names = "--ann-build-threads",
      defaultValue = "0",
      description =
          "Threads building the index when it is not cached; 0 = processors (default:"
              + " ${DEFAULT-VALUE}).")
  public int buildThreads;

  @Option(
      names = "--ann-index-cache-dir",
      description =
          "Folder for cached HNSW indexes (one subfolder per snapshot version); default: the"
              + " snapshot version's own derived/ folder. If it cannot be written, the index is"
              + " built at every start.")
  public Path indexCacheDir;

  /** Checks every setting, naming the option in the message. */
  public void validate() {
    Validation.require(
        efSearch >= 1 && efSearch <= 100_000,
        "--ann-ef-search must be in [1, 100000], was " + efSearch);
    Validation.require(m >= 2 && m <= 512, "--ann-m must be in [2, 512], was " + m);
    Validation.require(
        efConstruction >= 1 && efConstruction <= 3200,
        "--ann-ef-construction must be in [1, 3200], was " + efConstruction);
    Validation.require(
        tierRatio == 0 || (tierRatio >= 2 && tierRatio <= 1024),
        "--ann-tier-ratio must be 0 or in [2, 1024], was " + tierRatio);
    Validation.require(
        buildThreads >= 0 && buildThreads <= 256,
        "--ann-build-threads must be in [0, 256], was " + buildThreads);
  }

  public HnswIndex.Params params() {
    return new HnswIndex.Params(m, efConstruction, tierRatio);
  }

  public int effectiveBuildThreads() {
    return buildThreads > 0 ? buildThreads : Runtime.getRuntime().availableProcessors();
  }

  /**
   * Where the index of shard {@code index} of {@code count} lives for a snapshot version: the name
   * carries everything the graph depends on, so a changed setting or shard count never picks up a
   * stale file.
   */
  public Path cacheFile(Path versionDir, String version, int index, int count) {
    Path dir =
        indexCacheDir != null ? indexCacheDir.resolve(version) : versionDir.resolve("derived");
    return dir.resolve(
        "hnsw-shard"
            + index
            + "of"
            + count
            + "-m"
            + m
            + "-efc"
            + efConstruction
            + "-tier"
            + tierRatio
            + ".idx");
  }
}
