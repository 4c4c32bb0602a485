package io.rankingcluster.core.recall;

/**
 * A bounded min-heap keeping the k best (row, score) pairs offered; primitive arrays, no allocation
 * per offer.
 */
public final class TopK {
  private final int[] rows;
  private final float[] scores;
  private int size;

  public TopK(int k) {
    rows = new int[Math.max(1, k)];
    scores = new float[Math.max(1, k)];
  }

  public void offer(int row, float score) {
    if (size < rows.length) {
      rows[size] = row;
      scores[size] = score;
      siftUp(size++);
    } else if (score > scores[0]) {
      rows[0] = row;
      scores[0] = score;
      siftDown(0);
    }
  }

  public int size() {
    return size;
  }

  /** The kept rows, best first (destroys the heap). */
  public int[] rowsBestFirst() {
    sortDescending();
    return java.util.Arrays.copyOf(rows, size);
  }

  /** The kept scores, best first; call after {@link #rowsBestFirst()}. */
  public float[] scoresBestFirst() {
    return java.util.Arrays.copyOf(scores, size);
  }

  private boolean sorted;

  private void sortDescending() {
    if (sorted) {
      return;
    }
    // Heap sort in place: repeatedly move the minimum to the end, leaving the array in descending
    // order.
    int n = size;
    for (int end = n - 1; end > 0; end--) {
      swap(0, end);
      size = end;
      siftDown(0);
    }
    size = n;
    sorted = true;
  }

  private void siftUp(int i) {
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (scores[parent] <= scores[i]) {
        break;
      }
      swap(i, parent);
      i = parent;
    }
  }

  private void siftDown(int i) {
    while (true) {
      int l = 2 * i + 1;
      int smallest = i;
      if (l < size && scores[l] < scores[smallest]) {
        smallest = l;
      }
      if (l + 1 < size && scores[l + 1] < scores[smallest]) {
        smallest = l + 1;
      }
      if (smallest == i) {
        return;
      }
      swap(i, smallest);
      i = smallest;
    }
  }

  private void swap(int a, int b) {
    int r = rows[a];
    rows[a] = rows[b];
    rows[b] = r;
    float s = scores[a];
    scores[a] = scores[b];
    scores[b] = s;
  }
}
