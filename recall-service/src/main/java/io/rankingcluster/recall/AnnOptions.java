package io.rankingcluster.recall;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * How a shard answers the ANN channel (a picocli mixin): an HNSW index (default), loaded from a
 * cache file or built at start and cached, or the exact scan. docs/benchmarks.md shows what the
 * parameters cost.
 */
public final class AnnOptions {
  @Option(
      names = "--ann",
      defaultValue = "hnsw",
      description =
          "ANN channel implementation: hnsw (index) or exact (scan every item) (default:"
              + " ${DEFAULT-VALUE}).")
  public AnnConfig.Kind kind;

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

  /** The parsed values as an immutable, validated {@link AnnConfig}. */
  public AnnConfig config() {
    return new AnnConfig(kind, efSearch, m, efConstruction, tierRatio, buildThreads, indexCacheDir);
  }
}
