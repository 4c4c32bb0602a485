package io.rankingcluster.core.recall;

/**
 * One recall channel: finds candidates for a query within one shard's catalog. Implementations are
 * immutable after construction (indexes are built once per catalog) and safe to call concurrently.
 */
public interface CandidateSource {
  /** The channel this source implements. */
  Channel channel();

  /** Offers candidates, best first, to the sink until it is full or the source runs out. */
  void fetch(RecallQuery query, CandidateSink sink);
}
