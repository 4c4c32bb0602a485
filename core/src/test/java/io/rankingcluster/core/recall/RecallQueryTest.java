package io.rankingcluster.core.recall;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rankingcluster.core.catalog.Catalog;
import io.rankingcluster.core.testutil.TestCatalogs;
import io.rankingcluster.core.user.UserProfiles.Affinities;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RecallQueryTest {
  private static RecallQuery query(Catalog c, long[] exclude) {
    return new RecallQuery(
        c,
        new long[0],
        new Affinities(new int[0], new float[0]),
        -1,
        0L,
        exclude,
        new int[] {10, 10, 10});
  }

  @Test
  void admits_excludedIds_refusedExactlyThoseRows_forEverySetSize() {
    int n = 5000;
    Catalog c = TestCatalogs.builder(n, 4).build();
    SplittableRandom r = new SplittableRandom(7);
    for (int size : new int[] {0, 1, 2, 3, 7, 64, 1000, 1024, 4999}) {
      Set<Long> excluded = new HashSet<>();
      long[] ids = new long[size + 3];
      for (int i = 0; i < size; i++) {
        long id = c.ids[r.nextInt(n)];
        excluded.add(id);
        ids[i] = id; // duplicates on purpose: a page token and a request may name one id twice
      }
      ids[size] = -5; // ids the catalog does not hold are ignored
      ids[size + 1] = 1L << 40;
      ids[size + 2] = size > 0 ? ids[0] : -7;
      RecallQuery q = query(c, ids);
      for (int row = 0; row < n; row++) {
        assertEquals(
            !excluded.contains(c.ids[row]), q.admits(row), "size " + size + ", row " + row);
      }
    }
  }
}
