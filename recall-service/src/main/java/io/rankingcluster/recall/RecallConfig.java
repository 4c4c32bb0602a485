package io.rankingcluster.recall;

import io.rankingcluster.common.server.Validation;
import io.rankingcluster.core.recall.Channel;
import io.rankingcluster.core.recall.ChannelRegistry;
import java.util.List;

/**
 * A recall shard's channels and limits: the channels it runs (--channels), default and maximal
 * quotas, channel threads and their shares of the deadline. Immutable and validated when built:
 * from the flags ({@link RecallLimits#config()}) or, in tests, from flag strings ({@link #parse});
 * a bad value is a {@link io.rankingcluster.common.server.Validation.ConfigException} naming the
 * flag.
 */
public record RecallConfig(
    int defaultProducts,
    int defaultVideos,
    int defaultLive,
    int defaultChannel,
    String channels,
    int maxLimit,
    int maxExcludeIds,
    int maxEmbeddingIds,
    int channelThreads,
    String channelShares,
    long mergeReserveMs) {
  /** Every value as given, arrays copied; then {@link #validate()}. */
  public RecallConfig(
      int defaultProducts,
      int defaultVideos,
      int defaultLive,
      int defaultChannel,
      String channels,
      int maxLimit,
      int maxExcludeIds,
      int maxEmbeddingIds,
      int channelThreads,
      String channelShares,
      long mergeReserveMs) {
    this.defaultProducts = defaultProducts;
    this.defaultVideos = defaultVideos;
    this.defaultLive = defaultLive;
    this.defaultChannel = defaultChannel;
    this.channels = channels;
    this.maxLimit = maxLimit;
    this.maxExcludeIds = maxExcludeIds;
    this.maxEmbeddingIds = maxEmbeddingIds;
    this.channelThreads = channelThreads;
    this.channelShares = channelShares;
    this.mergeReserveMs = mergeReserveMs;
    validate();
  }

  /** The documented defaults. */
  public static RecallConfig defaults() {
    return parse();
  }

  /** Parses {@code flags} (e.g. {@code "--breaker-window=6"}) over the defaults. */
  public static RecallConfig parse(String... flags) {
    return io.rankingcluster.common.server.ServiceMain.parse(new RecallLimits(), flags).config();
  }

  /** The channels of --channels, validated against {@code registry}. */
  public List<ChannelRegistry.Selected> selection(ChannelRegistry registry) {
    try {
      return registry.select(channels, defaultChannel, maxLimit);
    } catch (IllegalArgumentException e) {
      throw new Validation.ConfigException("--channels: " + e.getMessage());
    }
  }

  /** Parsed --channel-shares, indexed by channel number (0.9 for a channel not named). */
  public double[] shares(ChannelRegistry registry) {
    double[] out = new double[Channel.MAX_NUMBER + 1];
    java.util.Arrays.fill(out, 0.9);
    for (String entry : channelShares.split(",")) {
      if (entry.isBlank()) {
        continue;
      }
      String[] kv = entry.trim().split("=");
      Validation.require(
          kv.length == 2,
          "--channel-shares entries must be channel=share, got '" + entry.trim() + "'");
      ChannelRegistry.Registration r = registry.get(kv[0].trim());
      Validation.require(
          r != null,
          "--channel-shares: unknown channel '"
              + kv[0].trim()
              + "' (registered: "
              + String.join(", ", registry.names())
              + ")");
      double share;
      try {
        share = Double.parseDouble(kv[1].trim());
      } catch (NumberFormatException e) {
        throw new Validation.ConfigException(
            "--channel-shares: '" + kv[1].trim() + "' is not a number");
      }
      Validation.require(
          share > 0 && share <= 1,
          "--channel-shares: share of " + kv[0].trim() + " must be in (0, 1]");
      out[r.channel().number()] = share;
    }
    return out;
  }

  public int effectiveChannelThreads() {
    return channelThreads > 0 ? channelThreads : 2 * Runtime.getRuntime().availableProcessors();
  }

  /**
   * Checks every setting but the channel names, which {@link #selection} and {@link #shares} check
   * against the registry the shard runs (its main asks at start: an unknown name stops it); a
   * problem names the flag.
   */
  private void validate() {
    Validation.require(
        channelThreads >= 0 && channelThreads <= 1024,
        "--channel-threads must be in [0, 1024], was " + channelThreads);
    Validation.require(
        mergeReserveMs >= 0 && mergeReserveMs < 1000,
        "--merge-reserve-ms must be in [0, 1000), was " + mergeReserveMs);
    Validation.require(
        maxEmbeddingIds >= 1, "--max-embedding-ids must be >= 1, was " + maxEmbeddingIds);
    for (int v : new int[] {defaultProducts, defaultVideos, defaultLive, defaultChannel}) {
      Validation.require(
          v >= 0 && v <= maxLimit,
          "default limits must be in [0, --max-limit=" + maxLimit + "], got " + v);
    }
    Validation.require(
        maxLimit >= 1 && maxLimit <= 1_000_000,
        "--max-limit must be in [1, 1000000], was " + maxLimit);
    Validation.require(maxExcludeIds >= 0, "--max-exclude-ids must be >= 0, was " + maxExcludeIds);
  }

  int[] defaultKindLimits() {
    return new int[] {defaultProducts, defaultVideos, defaultLive};
  }
}
