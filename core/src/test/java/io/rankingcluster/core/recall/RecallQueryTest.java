package io.rankingcluster.core.recall;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rankingcluster.core.catalog.Catalog;
import io.rankingcluster.core.testutil.TestCatalogs;
import io.rankingcluster.core.user.UserProfiles.Affinities;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RecallQueryTest {
  /** 2026-01-01T00:00:00Z: the demo world's clock, as a fixed instant for these tests. */
  private static final long AS_OF_MS = 1_767_225_600_000L;

  private static final Affinities NONE = new Affinities(new int[0], new float[0]);
  private static final int US = Catalog.countryIndex("US");
  private static final int DE = Catalog.countryIndex("DE");
  private static final long NOON = AS_OF_MS + 12 * 3_600_000L;

  /**
   * id 1: product everywhere; id 2: product only in DE; id 3: product out of stock; id 4: video; id
   * 5: stream on air 11:00-13:00; id 6: stream on air 20:00-21:00; id 7: product everywhere. Clicks
   * fall with the row, so popularity order is the row order.
   */
  private static Catalog catalog() {
    Catalog.Builder b = TestCatalogs.builder(7, 4);
    b.countryMasks[1] = 1 << DE;
    b.inStock[2] = false;
    TestCatalogs.video(b, 3);
    TestCatalogs.liveStream(b, 4, 660, 120);
    TestCatalogs.liveStream(b, 5, 1200, 60);
    for (int i = 0; i < 7; i++) {
      b.clicks[i] = 100 - i;
      b.impressions[i] = 1000;
    }
    return b.build();
  }

  private static RecallQuery query(Catalog c, int country, long[] exclude, int[] kindLimits) {
    return new RecallQuery(c, new long[0], NONE, country, NOON, exclude, kindLimits);
  }

  private static boolean[] admitted(RecallQuery q, Catalog c) {
    boolean[] a = new boolean[c.size()];
    for (int row = 0; row < c.size(); row++) {
      a[row] = q.admits(row);
    }
    return a;
  }

  @Test
  void admits_anyCountryNoExclusions_refusesOnlyOutOfStockAndOffAir() {
    Catalog c = catalog();
    boolean[] a = admitted(query(c, -1, new long[0], new int[] {9, 9, 9}), c);
    assertArrayEquals(new boolean[] {true, true, false, true, true, false, true}, a);
  }

  @Test
  void admits_country_refusesItemsNotSoldThere() {
    Catalog c = catalog();
    assertFalse(query(c, US, new long[0], new int[] {9, 9, 9}).admits(1));
    assertTrue(query(c, DE, new long[0], new int[] {9, 9, 9}).admits(1));
    assertTrue(query(c, US, new long[0], new int[] {9, 9, 9}).admits(0));
  }

  @Test
  void admits_excludedIds_refusedEvenWhenListedTwiceOrMixedWithUnknownIds() {
    Catalog c = catalog();
    RecallQuery q = query(c, -1, new long[] {7, 999, 4, 7, -1L}, new int[] {9, 9, 9});
    assertArrayEquals(new boolean[] {true, true, false, false, true, false, false}, admitted(q, c));
  }

  @Test
  void admits_kindWithLimitZero_refusesThatKind() {
    Catalog c = catalog();
    RecallQuery q = query(c, -1, new long[0], new int[] {9, 0, 9});
    assertFalse(q.admits(3));
    assertTrue(q.admits(0));
    assertTrue(q.admits(4));
    assertEquals(0, q.kindLimit((byte) 2));
    assertEquals(9, q.kindLimit((byte) 3));
  }

  @Test
  void constructor_wrongNumberOfKindLimits_throws() {
    Catalog c = catalog();
    assertThrows(IllegalArgumentException.class, () -> query(c, -1, new long[0], new int[] {9, 9}));
  }

  @Test
  void popularChannel_withFilters_fillsQuotaOnlyWithAdmittedItems() {
    Catalog c = catalog();
    RecallQuery q = query(c, US, new long[] {1}, new int[] {2, 1, 1});
    CandidateSink sink = new CandidateSink(q, 4);
    new PopularCandidateSource(c).fetch(q, sink);
    int[] rows = Arrays.copyOf(sink.rows, sink.size());
    // Products: id 1 excluded, id 2 not sold in the US, id 3 out of stock: id 7 is the only one
    // left.
    // Then the video (id 4) and the stream on air (id 5).
    assertArrayEquals(TestCatalogs.rowsOf(c, 7, 4, 5), rows);
  }

  @Test
  void sinkOffer_refusedRowsDoNotUseQuota_andFullSinkRefusesMore() {
    Catalog c = catalog();
    RecallQuery q = query(c, -1, new long[0], new int[] {9, 9, 9});
    CandidateSink sink = new CandidateSink(q, 2);
    assertTrue(sink.offer(2, 0.5f)); // out of stock: refused, sink still open
    assertEquals(0, sink.size());
    assertTrue(sink.offer(0, 0.4f));
    assertFalse(sink.offer(6, 0.3f)); // fills the sink: the channel can stop
    assertTrue(sink.full());
    assertFalse(sink.offer(3, 0.9f));
    assertEquals(2, sink.size());
    assertArrayEquals(new int[] {0, 6}, Arrays.copyOf(sink.rows, 2));
    assertArrayEquals(new float[] {0.4f, 0.3f}, Arrays.copyOf(sink.scores, 2));
  }
}
