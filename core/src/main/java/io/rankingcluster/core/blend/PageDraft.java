package io.rankingcluster.core.blend;

/**
 * The page as it is being filled, as the slot rules and choosers see it: the ranked inputs (kinds,
 * sellers, in ranking order), which are used, and what the earlier slots hold. One per {@link
 * Blender#blend} call.
 */
public final class PageDraft {
  private final byte[] kinds;
  private final long[] sellers;
  private final int n;
  private final boolean[] allowedKinds;
  private final boolean[] fresh;
  private final boolean[] used;
  private final int[] placed;
  private final int[] placedPerKind;
  private int size;

  PageDraft(
      byte[] kinds, long[] sellers, int n, int pageSize, boolean[] allowedKinds, boolean[] fresh) {
    this.kinds = kinds;
    this.sellers = sellers;
    this.n = n;
    this.allowedKinds = allowedKinds;
    this.fresh = fresh;
    this.used = new boolean[n];
    this.placed = new int[Math.max(0, Math.min(pageSize, n))];
    this.placedPerKind = new int[kindCount()];
  }

  private static int kindCount() {
    return io.rankingcluster.core.ItemKind.COUNT;
  }

  /** The 0-based slot being filled (= items placed so far). */
  public int slot() {
    return size;
  }

  /** Inputs, in ranking order. */
  public int inputs() {
    return n;
  }

  public byte kind(int input) {
    return kinds[input];
  }

  public long seller(int input) {
    return sellers[input];
  }

  /** Whether the input is marked fresh (always false when the request has no freshness). */
  public boolean fresh(int input) {
    return fresh != null && fresh[input];
  }

  public boolean used(int input) {
    return used[input];
  }

  /**
   * Whether the request allows kind {@code index} ({@link
   * io.rankingcluster.core.ItemKind#index()}).
   */
  public boolean kindAllowed(int index) {
    return allowedKinds[index];
  }

  /** The input placed in an earlier slot. */
  public int placedAt(int slot) {
    if (slot < 0 || slot >= size) {
      throw new IndexOutOfBoundsException("slot " + slot + " of " + size + " placed");
    }
    return placed[slot];
  }

  /** Items of kind {@code index} placed so far. */
  public int placedOfKind(int index) {
    return placedPerKind[index];
  }

  int capacity() {
    return placed.length;
  }

  void place(int input) {
    used[input] = true;
    placedPerKind[kinds[input] - 1]++;
    placed[size++] = input;
  }
}
