package io.rankingcluster.mixer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rankingcluster.core.ItemKind;
import io.rankingcluster.core.catalog.Catalog;
import io.rankingcluster.core.pipeline.CandidateTable;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The last-resort lists: what recall's admission would let through, most clicked first. */
class LastResortTest {
  private static final MixerData DATA = MixerData.of(TestCluster.SNAPSHOT);
  private static final Catalog C = DATA.catalog();
  private static final long NOW = 1_700_000_000_000L;

  @Test
  void candidates_areSoldInTheCountry_inStock_onAir_mostClickedFirst_withinEachKindsQuota() {
    int de = Catalog.countryIndex("DE");
    CandidateTable t = DATA.lastResort().candidates(de, NOW, new long[0], new int[] {50, 30, 10});
    int[] perKind = new int[ItemKind.COUNT];
    float last = Float.POSITIVE_INFINITY;
    for (int i = 0; i < t.size(); i++) {
      int row = C.index.rowOf(t.ids[i]);
      assertTrue(C.soldIn(row, de) && C.inStock[row], "sold in DE and in stock: " + t.ids[i]);
      if (t.kinds[i] == ItemKind.LIVE_STREAM.code()) {
        assertTrue(C.liveAt(row, NOW), "a live stream on air now: " + t.ids[i]);
      }
      perKind[t.kinds[i] - 1]++;
      assertTrue(t.scores[i] <= last, "popularity order");
      last = t.scores[i];
    }
    assertEquals(50, perKind[0]);
    assertEquals(30, perKind[1]);
    assertTrue(perKind[2] <= 10);
    // The most clicked product sold in DE and in stock comes first.
    int best = -1;
    for (int row = 0; row < C.size(); row++) {
      if (C.kinds[row] == ItemKind.PRODUCT.code()
          && C.soldIn(row, de)
          && C.inStock[row]
          && (best < 0 || C.clicks[row] > C.clicks[best])) {
        best = row;
      }
    }
    long firstProduct = -1;
    for (int i = 0; i < t.size() && firstProduct < 0; i++) {
      firstProduct = t.kinds[i] == ItemKind.PRODUCT.code() ? t.ids[i] : -1;
    }
    assertEquals(C.clicks[best], C.clicks[C.index.rowOf(firstProduct)]);
  }

  @Test
  void candidates_leaveOutServedIdsAndKindsWithoutQuota() {
    CandidateTable first = DATA.lastResort().candidates(-1, NOW, new long[0], new int[] {40, 0, 0});
    long[] served = java.util.Arrays.copyOf(first.ids, 20);
    CandidateTable next = DATA.lastResort().candidates(-1, NOW, served, new int[] {40, 0, 0});
    Set<Long> gone = new HashSet<>();
    for (long id : served) {
      gone.add(id);
    }
    assertEquals(40, next.size());
    for (int i = 0; i < next.size(); i++) {
      assertFalse(gone.contains(next.ids[i]), "served on an earlier page: " + next.ids[i]);
      assertEquals(ItemKind.PRODUCT.code(), next.kinds[i], "only the kind with a quota");
    }
    // What the first list had after the served prefix leads the next one.
    assertEquals(first.ids[20], next.ids[0]);
  }
}
