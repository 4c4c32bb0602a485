package io.rankingcluster.core.recall;

/**
 * A candidate list as parallel primitive arrays (catalog rows or ids, kinds, scores, channel
 * masks): the in-memory twin of ranking.v1 CandidateBlock. Entries [0, size) are valid.
 */
public final class Candidates {
  public final long[] ids;
  public final byte[] kinds;
  public final float[] scores;
  public final int[] channelMasks;
  public final int size;

  public Candidates(long[] ids, byte[] kinds, float[] scores, int[] channelMasks, int size) {
    if (ids.length < size
        || kinds.length < size
        || scores.length < size
        || channelMasks.length < size) {
      throw new IllegalArgumentException("candidate arrays shorter than size " + size);
    }
    this.ids = ids;
    this.kinds = kinds;
    this.scores = scores;
    this.channelMasks = channelMasks;
    this.size = size;
  }

  public static Candidates empty() {
    return new Candidates(new long[0], new byte[0], new float[0], new int[0], 0);
  }
}
