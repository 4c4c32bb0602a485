package io.rankingcluster.recall;

import io.rankingcluster.common.server.Validation;
import io.rankingcluster.core.recall.Channel;
import io.rankingcluster.core.recall.ChannelRegistry;
import java.util.List;
import picocli.CommandLine.Option;

/** Server-side defaults and maxima for recall quotas (a picocli mixin). */
public final class RecallLimits {
  @Option(
      names = "--default-product-limit",
      defaultValue = "1200",
      description =
          "Products per shard when the request sets no limit (default: ${DEFAULT-VALUE}).")
  public int defaultProducts;

  @Option(
      names = "--default-video-limit",
      defaultValue = "600",
      description = "Videos per shard when the request sets no limit (default: ${DEFAULT-VALUE}).")
  public int defaultVideos;

  @Option(
      names = "--default-live-limit",
      defaultValue = "200",
      description =
          "Live streams per shard when the request sets no limit (default: ${DEFAULT-VALUE}).")
  public int defaultLive;

  @Option(
      names = "--default-channel-limit",
      defaultValue = "800",
      description =
          "Candidates per channel when the request sets no limit and --channels gives none"
              + " (default: ${DEFAULT-VALUE}).")
  public int defaultChannel;

  @Option(
      names = "--channels",
      defaultValue = ChannelRegistry.DEFAULT_SELECTION,
      description =
          "The recall channels this shard runs, in merge order, as name[:limit] (a bare name takes"
              + " --default-channel-limit; a channel not listed is off; an unknown name stops the"
              + " start). The embedding search (ann) has a smaller limit because an HNSW search"
              + " costs more with k. Registered: ann, item_to_item, popular, category, fresh,"
              + " live_now (default: ${DEFAULT-VALUE}).")
  public String channels;

  @Option(
      names = "--max-limit",
      defaultValue = "10000",
      description =
          "Largest per-kind or per-channel limit a request may ask for (default:"
              + " ${DEFAULT-VALUE}).")
  public int maxLimit;

  @Option(
      names = "--max-exclude-ids",
      defaultValue = "20000",
      description = "Most excluded ids per request (default: ${DEFAULT-VALUE}).")
  public int maxExcludeIds;

  @Option(
      names = "--max-embedding-ids",
      defaultValue = "5000",
      description = "Most ids per GetEmbeddings call (default: ${DEFAULT-VALUE}).")
  public int maxEmbeddingIds;

  @Option(
      names = "--channel-threads",
      defaultValue = "0",
      description =
          "Threads that run recall channels in parallel; 0 = 2 x processors (default:"
              + " ${DEFAULT-VALUE}).")
  public int channelThreads;

  @Option(
      names = "--channel-shares",
      defaultValue = "",
      description =
          "Share of the call's remaining deadline a channel may use, as name=share pairs (0 < share"
              + " <= 1); a channel not named gets 0.9. A channel still running then is dropped and"
              + " reported (default: none).")
  public String channelShares;

  @Option(
      names = "--merge-reserve-ms",
      defaultValue = "1",
      description =
          "Time kept back from the channels' budget to merge and answer (default:"
              + " ${DEFAULT-VALUE}).")
  public long mergeReserveMs;

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

  public void validate() {
    validate(ChannelRegistry.standard());
  }

  /**
   * Checks every setting, the channel names against {@code registry}; a problem stops the start
   * naming the flag.
   */
  public void validate(ChannelRegistry registry) {
    selection(registry);
    shares(registry);
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
