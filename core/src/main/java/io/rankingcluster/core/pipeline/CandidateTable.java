package io.rankingcluster.core.pipeline;

import io.rankingcluster.core.recall.Candidates;
import java.util.Arrays;

/**
 * The candidates of one request as parallel primitive columns, entries [0, size): identity (id,
 * kind, the channel mask of the recall channels that found it), each stage's score, and the current
 * order score. One form from the source to the blend: no per-candidate objects, no conversion
 * between stages.
 *
 * <p>Columns are public arrays for the hot paths. Scorers write score columns in place; everything
 * that drops, reorders or adds rows builds a new table ({@link #keep}, {@link #reorder}, {@link
 * #copyRow}), so a table once handed on keeps its rows. Not thread-safe: one request's thread owns
 * it.
 */
public final class CandidateTable {
  public long[] ids;
  public byte[] kinds;

  /** Bit n set: the recall channel with bit index n found the candidate. */
  public int[] masks;

  /** The best recall score over the channels that found the candidate. */
  public float[] recallScores;

  /** Prerank's score; NaN when prerank did not score it. */
  public float[] prerankScores;

  /** The order score of the latest stage: recall's, then prerank's, then rank's value. */
  public float[] scores;

  /** Rank's heads (0 when rank did not score the candidate). */
  public float[] pClick;

  public float[] pConvert;
  public float[] watchSeconds;

  /** Rank's value per impression (the previous stage's score when rank fell back). */
  public float[] values;

  private int size;

  /**
   * The wire form this table was decoded from, while no row has changed (set by whoever decoded
   * it): a stage call can then send it as it is instead of encoding the same rows again.
   */
  private Object wireForm;

  public CandidateTable(int capacity) {
    ids = new long[capacity];
    kinds = new byte[capacity];
    masks = new int[capacity];
    recallScores = new float[capacity];
    prerankScores = new float[capacity];
    scores = new float[capacity];
    pClick = new float[capacity];
    pConvert = new float[capacity];
    watchSeconds = new float[capacity];
    values = new float[capacity];
    Arrays.fill(prerankScores, Float.NaN);
  }

  public static CandidateTable empty() {
    return new CandidateTable(0);
  }

  /** Recalled candidates: recall score as the order score. */
  public static CandidateTable of(Candidates c) {
    CandidateTable t = new CandidateTable(c.size);
    for (int i = 0; i < c.size; i++) {
      t.add(c.ids[i], c.kinds[i], c.channelMasks[i], c.scores[i]);
    }
    return t;
  }

  public int size() {
    return size;
  }

  /** Appends a recalled candidate (its recall score is also its order score). */
  public void add(long id, byte kind, int mask, float recallScore) {
    ensure(size + 1);
    ids[size] = id;
    kinds[size] = kind;
    masks[size] = mask;
    recallScores[size] = recallScore;
    scores[size] = recallScore;
    size++;
    wireForm = null;
  }

  /** Appends row {@code i} of {@code from}, every column. */
  public void copyRow(CandidateTable from, int i) {
    ensure(size + 1);
    ids[size] = from.ids[i];
    kinds[size] = from.kinds[i];
    masks[size] = from.masks[i];
    recallScores[size] = from.recallScores[i];
    prerankScores[size] = from.prerankScores[i];
    scores[size] = from.scores[i];
    pClick[size] = from.pClick[i];
    pConvert[size] = from.pConvert[i];
    watchSeconds[size] = from.watchSeconds[i];
    values[size] = from.values[i];
    size++;
    wireForm = null;
  }

  /**
   * A new table of the rows with {@code keep[i]}, in order; this table itself when every row is
   * kept.
   */
  public CandidateTable keep(boolean[] keep) {
    int kept = 0;
    for (int i = 0; i < size; i++) {
      if (keep[i]) {
        kept++;
      }
    }
    if (kept == size) {
      return this;
    }
    CandidateTable out = new CandidateTable(kept);
    for (int i = 0; i < size; i++) {
      if (keep[i]) {
        out.copyRow(this, i);
      }
    }
    return out;
  }

  /** A new table of rows {@code order[0..n)}, in that order. */
  public CandidateTable reorder(int[] order, int n) {
    CandidateTable out = new CandidateTable(n);
    for (int j = 0; j < n; j++) {
      out.copyRow(this, order[j]);
    }
    return out;
  }

  /** Row indexes ordered by {@link #scores}, highest first, ties in row order (NaN last). */
  public int[] orderByScore() {
    return io.rankingcluster.core.Order.byScoreDescending(scores, size);
  }

  /** Row indexes ordered by {@link #values}, highest first, ties in row order (NaN last). */
  public int[] orderByValue() {
    return io.rankingcluster.core.Order.byScoreDescending(values, size);
  }

  /** The row of {@code id}, or -1 (a linear scan: for the few rows of a page). */
  public int indexOf(long id) {
    for (int i = 0; i < size; i++) {
      if (ids[i] == id) {
        return i;
      }
    }
    return -1;
  }

  /** Remembers the wire form these rows were decoded from (cleared by any change of rows). */
  public void attachWireForm(Object form) {
    wireForm = form;
  }

  /**
   * The wire form these rows were decoded from, or null when rows changed since (or none was
   * attached).
   */
  public Object wireForm() {
    return wireForm;
  }

  private void ensure(int capacity) {
    if (capacity <= ids.length) {
      return;
    }
    int n = Math.max(capacity, Math.max(16, ids.length * 2));
    ids = Arrays.copyOf(ids, n);
    kinds = Arrays.copyOf(kinds, n);
    masks = Arrays.copyOf(masks, n);
    recallScores = Arrays.copyOf(recallScores, n);
    int old = prerankScores.length;
    prerankScores = Arrays.copyOf(prerankScores, n);
    Arrays.fill(prerankScores, old, n, Float.NaN);
    scores = Arrays.copyOf(scores, n);
    pClick = Arrays.copyOf(pClick, n);
    pConvert = Arrays.copyOf(pConvert, n);
    watchSeconds = Arrays.copyOf(watchSeconds, n);
    values = Arrays.copyOf(values, n);
  }
}
