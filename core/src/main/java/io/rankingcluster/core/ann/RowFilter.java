package io.rankingcluster.core.ann;

/**
 * Which rows a search may return. Applied inside the search (rows it refuses are walked through but
 * never take a result slot), so a filtered search still returns k rows when k admissible rows
 * exist. Implementations must be cheap and safe to call from the searching thread.
 */
@FunctionalInterface
public interface RowFilter {
  /** Admits every row. */
  RowFilter ALL = row -> true;

  boolean accepts(int row);
}
