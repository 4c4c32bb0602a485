package io.rankingcluster.core.recall;

/**
 * A channel of one shard ready to run: its identity, its source, and its limit when a request sets
 * none.
 */
public record BoundChannel(Channel channel, CandidateSource source, int defaultLimit) {
  public BoundChannel {
    if (defaultLimit < 0) {
      throw new IllegalArgumentException(
          "channel " + channel.label() + ": default limit must be >= 0");
    }
  }
}
