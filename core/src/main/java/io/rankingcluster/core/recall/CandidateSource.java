package io.rankingcluster.core.recall;

/**
 * How one recall channel finds candidates for a query within one shard's catalog. Implementations
 * are immutable after construction (indexes are built once per catalog) and safe to call
 * concurrently. Its identity (name, mask bit) comes from the {@link ChannelRegistry} that created
 * it.
 *
 * <p>Failures: a channel whose own data or dependency fails at run time throws {@link
 * io.rankingcluster.core.pipeline.StageException}; the engine drops it and reports it. Any other
 * exception is a bug and fails the recall call (INTERNAL), so that it is seen, not hidden as a
 * missing channel.
 */
public interface CandidateSource {
  /** Offers candidates, best first, to the sink until it is full or the source runs out. */
  void fetch(RecallQuery query, CandidateSink sink);

  /**
   * Where one item (a catalog row) stands in this channel for {@code query} with {@code limit}:
   * whether the query admits it, its rank and score when the channel returns it, and the channel's
   * cut-off (the score of its last candidate when the limit was reached; NaN when the channel ran
   * out first, so anything it found made it). The debugging tools ask this; the default runs the
   * channel once.
   */
  default Verdict explain(RecallQuery query, int row, int limit) {
    CandidateSink sink = new CandidateSink(query, limit);
    fetch(query, sink);
    float cutoff = sink.size() >= limit && limit > 0 ? sink.scores[limit - 1] : Float.NaN;
    for (int i = 0; i < sink.size(); i++) {
      if (sink.rows[i] == row) {
        return new Verdict(true, query.admits(row), i + 1, sink.scores[i], cutoff);
      }
    }
    return new Verdict(false, query.admits(row), 0, Float.NaN, cutoff);
  }

  /**
   * One item in one channel: {@code found} with its 1-based {@code rank} and {@code score}, or not
   * (rank 0, score NaN); {@code admitted} is false when the query's filter refuses it (excluded,
   * out of stock, not sold in the country, a stream not live); {@code cutoff} as in {@link
   * #explain}.
   */
  record Verdict(boolean found, boolean admitted, int rank, float score, float cutoff) {}
}
