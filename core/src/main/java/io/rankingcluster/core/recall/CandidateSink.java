package io.rankingcluster.core.recall;

/**
 * Where a channel puts its candidates: catalog rows with scores in [0, 1], up to a limit. Rows the
 * query does not admit are refused, so a channel keeps walking its list until the sink is full.
 */
public final class CandidateSink {
  private final RecallQuery query;
  private final int limit;
  final int[] rows;
  final float[] scores;
  int size;

  /**
   * Set when the channel's time is up: offers are refused, so a well-behaved channel stops early.
   */
  private volatile boolean closed;

  public CandidateSink(RecallQuery query, int limit) {
    this.query = query;
    this.limit = limit;
    this.rows = new int[limit];
    this.scores = new float[limit];
  }

  /** Offers a row; returns false once the sink is full (the channel can stop). */
  public boolean offer(int row, float score) {
    if (size >= limit || closed) {
      return false;
    }
    if (query.admits(row)) {
      rows[size] = row;
      scores[size] = score;
      size++;
    }
    return size < limit;
  }

  public boolean full() {
    return size >= limit || closed;
  }

  /** Refuses further offers (the channel overran its budget and its results are dropped). */
  void close() {
    closed = true;
  }

  /** The collected rows, best first as offered (valid entries: [0, size())). */
  public int[] rows() {
    return rows;
  }

  public int size() {
    return size;
  }

  public int limit() {
    return limit;
  }
}
