package io.rankingcluster.core.catalog;

import io.rankingcluster.core.ItemKind;
import java.util.Objects;
import java.util.function.IntPredicate;

/**
 * The item table as columns: row i of every array describes one item. Immutable after construction;
 * shared by every stage. Statistics (impressions, clicks, purchases, watch seconds) are what the
 * shop observed, the only signals serving may use; the hidden ground truth lives in the generator.
 */
public final class Catalog {
  /** Countries items can be sold in; bit c of {@link #countryMasks} stands for COUNTRIES[c]. */
  public static final String[] COUNTRIES = {"US", "DE", "GB", "FR", "JP", "BR", "IN", "ES"};

  public final long[] ids;
  public final byte[] kinds;
  public final long[] sellers;

  /** Leaf category of each item; {@link CategoryTree} gives parents. */
  public final int[] categories;

  /** Price (products), linked product's price (shoppable videos), 0 otherwise. */
  public final float[] prices;

  /** Creation time, ms since the epoch. */
  public final long[] createdMs;

  /** Live streams: daily start minute (0..1439); -1 for other kinds. */
  public final short[] liveStartMinute;

  /** Live streams: minutes on air per day; 0 for other kinds. */
  public final short[] liveDurationMinutes;

  /** Bit c set: sold (or shown) in COUNTRIES[c]. */
  public final int[] countryMasks;

  /** Shoppable videos: row of the linked product, -1 otherwise. */
  public final int[] linkedProductRow;

  /** Products: whether in stock. Others: true. */
  public final boolean[] inStock;

  public final int[] impressions;
  public final int[] clicks;
  public final int[] purchases;

  /** Add-to-cart events. */
  public final int[] carts;

  /** Total seconds watched after a click (videos and live streams). */
  public final float[] watchSeconds;

  public final String[] titles;
  public final LongIndex index;
  public final int categoryCount;

  private Catalog(Builder b) {
    ids = b.ids;
    kinds = b.kinds;
    sellers = b.sellers;
    categories = b.categories;
    prices = b.prices;
    createdMs = b.createdMs;
    liveStartMinute = b.liveStartMinute;
    liveDurationMinutes = b.liveDurationMinutes;
    countryMasks = b.countryMasks;
    linkedProductRow = b.linkedProductRow;
    inStock = b.inStock;
    impressions = b.impressions;
    clicks = b.clicks;
    purchases = b.purchases;
    carts = b.carts;
    watchSeconds = b.watchSeconds;
    titles = b.titles;
    categoryCount = b.categoryCount;
    index = new LongIndex(ids);
  }

  public int size() {
    return ids.length;
  }

  public ItemKind kind(int row) {
    return ItemKind.ofCode(kinds[row]);
  }

  /** Index of a country code in {@link #COUNTRIES}, or -1. */
  public static int countryIndex(String code) {
    for (int i = 0; i < COUNTRIES.length; i++) {
      if (COUNTRIES[i].equals(code)) {
        return i;
      }
    }
    return -1;
  }

  /** Whether row is sold in the country with this index (-1: any country). */
  public boolean soldIn(int row, int country) {
    return country < 0 || (countryMasks[row] & (1 << country)) != 0;
  }

  /**
   * Whether the live stream at row is on air at the given time (ms since the epoch, UTC schedule).
   */
  public boolean liveAt(int row, long timeMs) {
    return liveAtMinute(row, minuteOfDay(timeMs));
  }

  /**
   * The minute of the UTC day of a time (ms since the epoch), as {@link #liveAtMinute} takes it.
   */
  public static int minuteOfDay(long timeMs) {
    return (int) Math.floorMod(timeMs / 60_000L, 1440L);
  }

  /**
   * As {@link #liveAt}, at a minute of the day computed once per request: a recall filter asks for
   * every live stream it walks, and the division per ask was 6% of a shard's CPU (JFR).
   */
  public boolean liveAtMinute(int row, int minuteOfDay) {
    if (liveStartMinute[row] < 0) {
      return false;
    }
    int start = liveStartMinute[row];
    int sinceStart = Math.floorMod(minuteOfDay - start, 1440);
    return sinceStart < liveDurationMinutes[row];
  }

  /** Click-through rate smoothed towards {@code prior} with {@code strength} pseudo-impressions. */
  public float smoothedCtr(int row, float prior, float strength) {
    return (clicks[row] + prior * strength) / (impressions[row] + strength);
  }

  /** Purchases per click smoothed towards {@code prior}. */
  public float smoothedCvr(int row, float prior, float strength) {
    return (purchases[row] + prior * strength) / (clicks[row] + strength);
  }

  /** A builder holding copies of every column (for example to recompute statistics). */
  public Builder toBuilder() {
    Builder b = new Builder(size(), categoryCount);
    System.arraycopy(ids, 0, b.ids, 0, size());
    System.arraycopy(kinds, 0, b.kinds, 0, size());
    System.arraycopy(sellers, 0, b.sellers, 0, size());
    System.arraycopy(categories, 0, b.categories, 0, size());
    System.arraycopy(prices, 0, b.prices, 0, size());
    System.arraycopy(createdMs, 0, b.createdMs, 0, size());
    System.arraycopy(liveStartMinute, 0, b.liveStartMinute, 0, size());
    System.arraycopy(liveDurationMinutes, 0, b.liveDurationMinutes, 0, size());
    System.arraycopy(countryMasks, 0, b.countryMasks, 0, size());
    System.arraycopy(linkedProductRow, 0, b.linkedProductRow, 0, size());
    System.arraycopy(inStock, 0, b.inStock, 0, size());
    System.arraycopy(impressions, 0, b.impressions, 0, size());
    System.arraycopy(clicks, 0, b.clicks, 0, size());
    System.arraycopy(purchases, 0, b.purchases, 0, size());
    System.arraycopy(carts, 0, b.carts, 0, size());
    System.arraycopy(watchSeconds, 0, b.watchSeconds, 0, size());
    System.arraycopy(titles, 0, b.titles, 0, size());
    return b;
  }

  /** A new catalog with only the rows that pass (for example: the items of one shard). */
  public Catalog filter(IntPredicate keepRow) {
    int n = 0;
    int[] keep = new int[size()];
    for (int i = 0; i < size(); i++) {
      if (keepRow.test(i)) {
        keep[n++] = i;
      }
    }
    Builder b = new Builder(n, categoryCount);
    int[] newRow = new int[size()];
    java.util.Arrays.fill(newRow, -1);
    for (int j = 0; j < n; j++) {
      newRow[keep[j]] = j;
    }
    for (int j = 0; j < n; j++) {
      int i = keep[j];
      b.ids[j] = ids[i];
      b.kinds[j] = kinds[i];
      b.sellers[j] = sellers[i];
      b.categories[j] = categories[i];
      b.prices[j] = prices[i];
      b.createdMs[j] = createdMs[i];
      b.liveStartMinute[j] = liveStartMinute[i];
      b.liveDurationMinutes[j] = liveDurationMinutes[i];
      b.countryMasks[j] = countryMasks[i];
      // A linked product on another shard stays unresolved here; its price was copied already.
      b.linkedProductRow[j] = linkedProductRow[i] < 0 ? -1 : newRow[linkedProductRow[i]];
      b.inStock[j] = inStock[i];
      b.impressions[j] = impressions[i];
      b.clicks[j] = clicks[i];
      b.purchases[j] = purchases[i];
      b.carts[j] = carts[i];
      b.watchSeconds[j] = watchSeconds[i];
      b.titles[j] = titles[i];
    }
    return b.build();
  }

  /** Mutable columns for building a catalog; {@link #build()} checks that the columns agree. */
  public static final class Builder {
    public final long[] ids;
    public final byte[] kinds;
    public final long[] sellers;
    public final int[] categories;
    public final float[] prices;
    public final long[] createdMs;
    public final short[] liveStartMinute;
    public final short[] liveDurationMinutes;
    public final int[] countryMasks;
    public final int[] linkedProductRow;
    public final boolean[] inStock;
    public final int[] impressions;
    public final int[] clicks;
    public final int[] purchases;
    public final int[] carts;
    public final float[] watchSeconds;
    public final String[] titles;
    private final int categoryCount;

    public Builder(int size, int categoryCount) {
      ids = new long[size];
      kinds = new byte[size];
      sellers = new long[size];
      categories = new int[size];
      prices = new float[size];
      createdMs = new long[size];
      liveStartMinute = new short[size];
      liveDurationMinutes = new short[size];
      countryMasks = new int[size];
      linkedProductRow = new int[size];
      inStock = new boolean[size];
      impressions = new int[size];
      clicks = new int[size];
      purchases = new int[size];
      carts = new int[size];
      watchSeconds = new float[size];
      titles = new String[size];
      this.categoryCount = categoryCount;
    }

    public Catalog build() {
      for (int i = 0; i < ids.length; i++) {
        if (ItemKind.ofCode(kinds[i]) == null) {
          throw new IllegalArgumentException(
              "item " + Long.toUnsignedString(ids[i]) + ": unknown kind " + kinds[i]);
        }
        if (categories[i] < 0 || categories[i] >= categoryCount) {
          throw new IllegalArgumentException(
              "item "
                  + Long.toUnsignedString(ids[i])
                  + ": category "
                  + categories[i]
                  + " outside [0, "
                  + categoryCount
                  + ")");
        }
        Objects.requireNonNull(titles[i], "title");
      }
      return new Catalog(this);
    }
  }
}
