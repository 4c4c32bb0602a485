package io.rankingcluster.core.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LongIndexTest {
  @Test
  void rowOf_presentIds_includingNegativeAndExtremes_returnsTheirRows() {
    long[] ids = {5, -1L, Long.MIN_VALUE, 0, 12_345_678_901L, Long.MAX_VALUE, -42L};
    LongIndex index = new LongIndex(ids);
    for (int i = 0; i < ids.length; i++) {
      assertEquals(i, index.rowOf(ids[i]), "id " + Long.toUnsignedString(ids[i]));
    }
  }

  @Test
  void rowOf_absentIds_returnsMinusOne() {
    LongIndex index = new LongIndex(new long[] {5, -1L, Long.MIN_VALUE, 0, 12_345_678_901L});
    for (long absent :
        new long[] {6, 4, -2L, Long.MAX_VALUE, Long.MIN_VALUE + 1, 1, 12_345_678_900L}) {
      assertEquals(-1, index.rowOf(absent), "id " + Long.toUnsignedString(absent));
    }
  }

  @Test
  void rowOf_emptyIndex_returnsMinusOne() {
    LongIndex index = new LongIndex(new long[0]);
    assertEquals(-1, index.rowOf(0));
    assertEquals(-1, index.rowOf(-1));
  }

  @Test
  void rowOf_manyRandomIds_agreesWithHashMap() {
    SplittableRandom rnd = new SplittableRandom(5);
    Map<Long, Integer> expected = new HashMap<>();
    long[] ids = new long[20_000];
    for (int i = 0; i < ids.length; i++) {
      long id;
      do {
        id = rnd.nextLong();
      } while (expected.containsKey(id));
      ids[i] = id;
      expected.put(id, i);
    }
    LongIndex index = new LongIndex(ids);
    for (int i = 0; i < ids.length; i++) {
      assertEquals(i, index.rowOf(ids[i]));
    }
    for (int i = 0; i < 20_000; i++) {
      long probe = rnd.nextLong();
      assertEquals(expected.getOrDefault(probe, -1), index.rowOf(probe));
    }
  }

  @Test
  void rowOf_sequentialIdsOfEveryShortLength_allFound() {
    // Lengths around the capacity's powers of two, where a too-small table would fill up.
    for (int len = 0; len <= 70; len++) {
      long[] ids = new long[len];
      for (int i = 0; i < len; i++) {
        ids[i] = 100_001L + i;
      }
      LongIndex index = new LongIndex(ids);
      for (int i = 0; i < len; i++) {
        assertEquals(i, index.rowOf(ids[i]));
      }
      assertEquals(-1, index.rowOf(100_001L + len));
    }
  }

  @Test
  void constructor_duplicateId_throwsNamingTheIdUnsigned() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> new LongIndex(new long[] {1, -5L, 3, -5L}));
    assertTrue(e.getMessage().contains("18446744073709551611"), e.getMessage());
    IllegalArgumentException e2 =
        assertThrows(IllegalArgumentException.class, () -> new LongIndex(new long[] {777, 2, 777}));
    assertTrue(e2.getMessage().contains("777"), e2.getMessage());
  }
}
