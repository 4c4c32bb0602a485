package io.rankingcluster.core.score;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rankingcluster.core.catalog.Catalog;
import io.rankingcluster.core.recall.Candidates;
import io.rankingcluster.core.testutil.TestCatalogs;
import io.rankingcluster.core.user.UserProfiles.Affinities;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RankScorerTest {
  private static final UserSignals ANONYMOUS =
      new UserSignals(new Affinities(new int[0], new float[0]), 0f, new long[0], true, 2, 4);

  private static Candidates candidates(Catalog c, long... ids) {
    byte[] kinds = new byte[ids.length];
    for (int i = 0; i < ids.length; i++) {
      int row = c.index.rowOf(ids[i]);
      kinds[i] = row < 0 ? 1 : c.kinds[row];
    }
    return new Candidates(ids, kinds, new float[ids.length], new int[ids.length], ids.length);
  }

  private static UserSignals likes(int leaf) {
    return new UserSignals(
        new Affinities(new int[] {leaf}, new float[] {1f}), 0f, new long[0], false, 2, 4);
  }

  /** Two products identical in everything but the leaf category: id 1 in leaf 1, id 2 in leaf 6. */
  private static Catalog twins() {
    Catalog.Builder b = TestCatalogs.builder(2, 8);
    for (int i = 0; i < 2; i++) {
      b.impressions[i] = 1000;
      b.clicks[i] = 30;
      b.purchases[i] = 3;
      b.prices[i] = 20f;
    }
    b.categories[0] = 1;
    b.categories[1] = 6;
    return b.build();
  }

  @Test
  void rank_userWithAffinity_ranksTheItemOfThatCategoryFirst() {
    Catalog c = twins();
    RankScorer scorer = new RankScorer(c, ValueFormula.DEFAULT);
    RankScorer.Ranked likes6 = scorer.rank(candidates(c, 1, 2), likes(6));
    assertArrayEquals(new long[] {2, 1}, Arrays.copyOf(likes6.ids(), 2));
    assertTrue(likes6.values()[0] > likes6.values()[1]);
    assertTrue(likes6.pClick()[0] > likes6.pClick()[1]);
    // Control: the preference follows the affinity, not the input position.
    RankScorer.Ranked likes1 = scorer.rank(candidates(c, 2, 1), likes(1));
    assertArrayEquals(new long[] {1, 2}, Arrays.copyOf(likes1.ids(), 2));
    // No affinity: equal values, input order kept.
    RankScorer.Ranked none = scorer.rank(candidates(c, 2, 1), ANONYMOUS);
    assertArrayEquals(new long[] {2, 1}, Arrays.copyOf(none.ids(), 2));
    assertEquals(none.values()[0], none.values()[1]);
  }

  @Test
  void rank_productHeads_matchHandComputedPriors() {
    Catalog c = twins();
    RankScorer.Ranked r = new RankScorer(c, ValueFormula.DEFAULT).rank(candidates(c, 1), ANONYMOUS);
    // CTR (30 + 0.03 x 100) / (1000 + 100) = 0.03, and sigmoid(logit(0.03)) = 0.03.
    assertEquals(0.03f, r.pClick()[0], 1e-5f);
    // CVR (3 + 0.08 x 20) / (30 + 20) = 0.092.
    assertEquals(0.092f, r.pConvert()[0], 1e-5f);
    assertEquals(0f, r.watchSeconds()[0]);
    // Value 0.03 x 0.092 x 20 = 0.0552.
    assertEquals(0.0552f, r.values()[0], 1e-5f);
  }

  @Test
  void rank_videoWatchHead_isSmoothedSecondsPerClick() {
    Catalog.Builder b = TestCatalogs.builder(1, 8);
    TestCatalogs.video(b, 0);
    b.impressions[0] = 1000;
    b.clicks[0] = 45;
    b.watchSeconds[0] = 1850f;
    Catalog c = b.build();
    RankScorer.Ranked r = new RankScorer(c, ValueFormula.DEFAULT).rank(candidates(c, 1), ANONYMOUS);
    // (1850 + 30 x 5) / (45 + 5) = 40 seconds; a video without a price converts at 0.
    assertEquals(40f, r.watchSeconds()[0], 1e-4f);
    assertEquals(0f, r.pConvert()[0]);
    assertEquals(r.pClick()[0] * 40f * 0.02f, r.values()[0], 1e-6f);
  }

  @Test
  void rank_mixedCandidates_sortedByValueDescendingWithUnknownIdsDropped() {
    SplittableRandom rnd = new SplittableRandom(17);
    int n = 60;
    Catalog.Builder b = TestCatalogs.builder(n, 8);
    for (int i = 0; i < n; i++) {
      b.categories[i] = rnd.nextInt(8);
      b.impressions[i] = 200 + rnd.nextInt(5000);
      b.clicks[i] = rnd.nextInt(b.impressions[i] / 5);
      b.purchases[i] = b.clicks[i] == 0 ? 0 : rnd.nextInt(b.clicks[i] + 1);
      b.prices[i] = 1 + rnd.nextInt(200);
      if (i % 3 == 1) {
        TestCatalogs.video(b, i);
        b.watchSeconds[i] = rnd.nextInt(10_000);
      } else if (i % 3 == 2) {
        TestCatalogs.liveStream(b, i, 0, 1440);
        b.watchSeconds[i] = rnd.nextInt(10_000);
      }
    }
    Catalog c = b.build();
    long[] ids = new long[n + 3];
    for (int i = 0; i < n; i++) {
      ids[i] = i + 1;
    }
    ids[n] = 5000;
    ids[n + 1] = -7;
    ids[n + 2] = 6000;
    UserSignals user =
        new UserSignals(
            new Affinities(new int[] {2, 5}, new float[] {0.6f, 0.4f}),
            50f,
            new long[0],
            false,
            2,
            4);
    RankScorer.Ranked r = new RankScorer(c, ValueFormula.DEFAULT).rank(candidates(c, ids), user);
    assertEquals(n, r.size());
    Set<Long> seen = new HashSet<>();
    for (int i = 0; i < r.size(); i++) {
      assertTrue(seen.add(r.ids()[i]));
      assertTrue(r.ids()[i] >= 1 && r.ids()[i] <= n, "unexpected id " + r.ids()[i]);
      assertTrue(r.values()[i] >= 0 && Float.isFinite(r.values()[i]));
      assertTrue(r.pClick()[i] > 0 && r.pClick()[i] < 1);
      assertEquals(c.kinds[c.index.rowOf(r.ids()[i])], r.kinds()[i]);
      if (i > 0) {
        assertTrue(r.values()[i] <= r.values()[i - 1], "values not descending at " + i);
      }
    }
    // The first item is the most valuable one overall.
    float max = 0;
    for (int i = 0; i < r.size(); i++) {
      max = Math.max(max, r.values()[i]);
    }
    assertEquals(max, r.values()[0]);
  }
}
