package io.rankingcluster.core.recall;

/**
 * Item-to-item neighbours in compressed sparse rows aligned with catalog rows: the neighbours of
 * catalog row r are {@code neighbourIds[offsets[r] .. offsets[r+1])} with {@code weights} at the
 * same indexes, strongest first. Neighbours are item ids (not rows), so a shard can hold neighbours
 * it does not own.
 */
public final class ItemNeighbours {
  public final int[] offsets;
  public final long[] neighbourIds;
  public final float[] weights;

  public ItemNeighbours(int[] offsets, long[] neighbourIds, float[] weights) {
    if (offsets.length == 0
        || offsets[0] != 0
        || offsets[offsets.length - 1] != neighbourIds.length
        || neighbourIds.length != weights.length) {
      throw new IllegalArgumentException("item neighbours: offsets, ids and weights disagree");
    }
    for (int i = 1; i < offsets.length; i++) {
      if (offsets[i] < offsets[i - 1]) {
        throw new IllegalArgumentException("item neighbours: offsets decrease at row " + (i - 1));
      }
    }
    this.offsets = offsets;
    this.neighbourIds = neighbourIds;
    this.weights = weights;
  }

  public static ItemNeighbours empty(int rows) {
    return new ItemNeighbours(new int[rows + 1], new long[0], new float[0]);
  }

  public int rows() {
    return offsets.length - 1;
  }

  public int count(int row) {
    return offsets[row + 1] - offsets[row];
  }
}
