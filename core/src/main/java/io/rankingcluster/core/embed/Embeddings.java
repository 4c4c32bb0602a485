package io.rankingcluster.core.embed;

/**
 * Dense vectors, one per row, stored row-major in one float array ({@code rows x dimension}), so
 * that a file of little-endian float32 maps onto it directly. Row i belongs to whatever table the
 * owner aligns it with (catalog rows for items, profile rows for users).
 */
public final class Embeddings {
  private final int rows;
  private final int dimension;
  private final float[] data;

  public Embeddings(int rows, int dimension, float[] data) {
    if (rows < 0 || dimension < 0 || (long) rows * dimension != data.length) {
      throw new IllegalArgumentException(
          "embeddings: " + rows + " x " + dimension + " does not match " + data.length + " floats");
    }
    this.rows = rows;
    this.dimension = dimension;
    this.data = data;
  }

  public static Embeddings empty(int rows) {
    return new Embeddings(rows, 0, new float[0]);
  }

  public int rows() {
    return rows;
  }

  public int dimension() {
    return dimension;
  }

  /** The backing array, row-major (do not modify). */
  public float[] data() {
    return data;
  }

  /** Offset of row's first component in {@link #data()}. */
  public int offset(int row) {
    return row * dimension;
  }

  public float dot(int row, float[] query) {
    int o = row * dimension;
    float s = 0;
    for (int k = 0; k < dimension; k++) {
      s += data[o + k] * query[k];
    }
    return s;
  }

  /** Copies a row into {@code out} (length >= dimension). */
  public void copyRow(int row, float[] out, int outOffset) {
    System.arraycopy(data, row * dimension, out, outOffset, dimension);
  }
}
