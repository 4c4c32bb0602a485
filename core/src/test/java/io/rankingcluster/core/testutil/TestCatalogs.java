package io.rankingcluster.core.testutil;

import io.rankingcluster.core.ItemKind;
import io.rankingcluster.core.catalog.Catalog;
import java.util.Arrays;

/**
 * Hand-built catalogs for unit tests: every column has a neutral default that a test then
 * overrides.
 */
public final class TestCatalogs {
  /** All countries of {@link Catalog#COUNTRIES}. */
  public static final int ALL_COUNTRIES = (1 << Catalog.COUNTRIES.length) - 1;

  private TestCatalogs() {}

  /**
   * A builder of {@code size} in-stock products sold everywhere: ids {@code 1..size}, seller 1000 +
   * row, category 0, price 10, created at 0, no schedule, no link, no statistics, title "item
   * &lt;id&gt;".
   */
  public static Catalog.Builder builder(int size, int categoryCount) {
    Catalog.Builder b = new Catalog.Builder(size, categoryCount);
    for (int i = 0; i < size; i++) {
      b.ids[i] = i + 1;
      b.kinds[i] = ItemKind.PRODUCT.code();
      b.sellers[i] = 1000 + i;
      b.prices[i] = 10f;
      b.liveStartMinute[i] = -1;
      b.countryMasks[i] = ALL_COUNTRIES;
      b.linkedProductRow[i] = -1;
      b.inStock[i] = true;
      b.titles[i] = "item " + (i + 1);
    }
    return b;
  }

  /** Turns row into a live stream on air daily from startMinute for durationMinutes (price 0). */
  public static void liveStream(Catalog.Builder b, int row, int startMinute, int durationMinutes) {
    b.kinds[row] = ItemKind.LIVE_STREAM.code();
    b.prices[row] = 0f;
    b.liveStartMinute[row] = (short) startMinute;
    b.liveDurationMinutes[row] = (short) durationMinutes;
  }

  /** Turns row into a non-shoppable video (price 0). */
  public static void video(Catalog.Builder b, int row) {
    b.kinds[row] = ItemKind.VIDEO.code();
    b.prices[row] = 0f;
  }

  /** The rows of a catalog holding the given ids, in the given order (-1 for absent ids). */
  public static int[] rowsOf(Catalog catalog, long... ids) {
    return Arrays.stream(ids).mapToInt(catalog.index::rowOf).toArray();
  }
}
