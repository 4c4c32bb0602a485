package io.rankingcluster.core.recall;

import io.rankingcluster.core.catalog.Catalog;
import java.util.Arrays;
import java.util.function.IntPredicate;

/** Popularity from observed clicks: the ordering and the [0, 1] score the list channels share. */
public final class Popularity {
  private Popularity() {}

  /** log1p(clicks) scaled so that the most clicked item of the catalog scores 1. */
  public static float[] scores(Catalog catalog) {
    int max = 0;
    for (int c : catalog.clicks) {
      max = Math.max(max, c);
    }
    float denominator = (float) Math.log1p(Math.max(1, max));
    float[] s = new float[catalog.size()];
    for (int i = 0; i < s.length; i++) {
      s[i] = (float) Math.log1p(catalog.clicks[i]) / denominator;
    }
    return s;
  }

  /** The rows that pass, most popular first (ties by row, so the order is deterministic). */
  static int[] sortedRows(Catalog catalog, float[] score, IntPredicate keep) {
    Integer[] boxed =
        java.util.stream.IntStream.range(0, catalog.size())
            .filter(keep)
            .boxed()
            .toArray(Integer[]::new);
    // Built once per catalog load, not per request: boxing here costs nothing on the request path.
    Arrays.sort(
        boxed,
        (a, b) -> {
          int byScore = Float.compare(score[b], score[a]);
          return byScore != 0 ? byScore : Integer.compare(a, b);
        });
    int[] rows = new int[boxed.length];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = boxed[i];
    }
    return rows;
  }
}
