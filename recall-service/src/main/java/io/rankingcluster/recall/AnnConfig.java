package io.rankingcluster.recall;

import io.rankingcluster.common.server.Validation;
import io.rankingcluster.core.ann.HnswIndex;
import java.nio.file.Path;

/**
 * The embedding search of a recall shard: HNSW (its parameters and the index cache) or the exact
 * scan. Immutable and validated when built: from the flags ({@link AnnOptions#config()}) or, in
 * tests, from flag strings ({@link #parse}); a bad value is a {@link
 * io.rankingcluster.common.server.Validation.ConfigException} naming the flag.
 */
public record AnnConfig(
    Kind kind,
    int efSearch,
    int m,
    int efConstruction,
    int tierRatio,
    int buildThreads,
    Path indexCacheDir) {
  /** Every value as given, arrays copied; then {@link #validate()}. */
  public AnnConfig(
      Kind kind,
      int efSearch,
      int m,
      int efConstruction,
      int tierRatio,
      int buildThreads,
      Path indexCacheDir) {
    this.kind = kind;
    this.efSearch = efSearch;
    this.m = m;
    this.efConstruction = efConstruction;
    this.tierRatio = tierRatio;
    this.buildThreads = buildThreads;
    this.indexCacheDir = indexCacheDir;
    validate();
  }

  /** The documented defaults. */
  public static AnnConfig defaults() {
    return parse();
  }

  /** Parses {@code flags} (e.g. {@code "--breaker-window=6"}) over the defaults. */
  public static AnnConfig parse(String... flags) {
    return io.rankingcluster.common.server.ServiceMain.parse(new AnnOptions(), flags).config();
  }

  /** The two implementations of the ANN channel. */
  public enum Kind {
    hnsw,
    exact
  }

  /** Checks every setting, naming the option in the message. */
  private void validate() {
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
