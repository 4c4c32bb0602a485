package io.rankingcluster.core.score;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rankingcluster.core.catalog.Catalog;
import io.rankingcluster.core.recall.Candidates;
import io.rankingcluster.core.recall.Channel;
import io.rankingcluster.core.testutil.TestCatalogs;
import io.rankingcluster.core.user.UserProfiles.Affinities;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PrerankScorerTest {
  private static final int ONE_CHANNEL = Channel.POPULAR.bit();
  private static final UserSignals ANONYMOUS =
      new UserSignals(new Affinities(new int[0], new float[0]), 0f, new long[0], true, 2, 4);

  /**
   * 1000 impressions each. Products: id 1 (10 clicks), id 2 (40), id 3 (20), id 4 (30); videos: id
   * 5 (5), id 6 (50); stream: id 7 (10). 8 leaf categories under 2 parents.
   */
  private static Catalog catalog() {
    Catalog.Builder b = TestCatalogs.builder(7, 8);
    int[] clicks = {10, 40, 20, 30, 5, 50, 10};
    for (int i = 0; i < 7; i++) {
      b.impressions[i] = 1000;
      b.clicks[i] = clicks[i];
    }
    TestCatalogs.video(b, 4);
    TestCatalogs.video(b, 5);
    TestCatalogs.liveStream(b, 6, 0, 1440);
    return b.build();
  }

  private static Candidates candidates(long[] ids, byte[] kinds) {
    float[] scores = new float[ids.length];
    int[] masks = new int[ids.length];
    Arrays.fill(scores, 0.5f);
    Arrays.fill(masks, ONE_CHANNEL);
    return new Candidates(ids, kinds, scores, masks, ids.length);
  }

  private static long[] ids(Candidates c) {
    return Arrays.copyOf(c.ids, c.size);
  }

  @Test
  void topKPerKind_keepsAtMostKPerKindBestFirst_andMarksShortKinds() {
    Candidates in = candidates(new long[] {1, 2, 3, 4, 5, 6, 7}, new byte[] {1, 1, 1, 1, 2, 2, 3});
    PrerankScorer.Result r =
        new PrerankScorer(catalog()).topKPerKind(in, ANONYMOUS, new int[] {2, 3, 1});
    // Smoothed CTRs (clicks + 6) / 1200: id 6 56, id 2 46, id 4 36, id 3 26, id 1 16, id 7 16, id 5
    // 11.
    // Products keep ids 2 and 4; both videos are kept and still fall short of 3; the stream fills
    // its 1.
    assertArrayEquals(new long[] {6, 2, 4, 7, 5}, ids(r.kept()));
    assertArrayEquals(new byte[] {2, 1, 1, 3, 2}, Arrays.copyOf(r.kept().kinds, 5));
    assertArrayEquals(new boolean[] {false, true, false}, r.shortKinds());
    assertArrayEquals(
        new int[] {ONE_CHANNEL, ONE_CHANNEL, ONE_CHANNEL, ONE_CHANNEL, ONE_CHANNEL},
        Arrays.copyOf(r.kept().channelMasks, 5));
  }

  @Test
  void topKPerKind_scores_matchTheLinearPrior() {
    Candidates in = candidates(new long[] {2}, new byte[] {1});
    PrerankScorer.Result r =
        new PrerankScorer(catalog()).topKPerKind(in, ANONYMOUS, new int[] {1, 0, 0});
    double ctr = 46.0 / 1200.0;
    double expected = Math.log(ctr / (1 - ctr)) + 0.15 * 1 + 0.3 * 0.5; // no affinity, no price fit
    assertEquals((float) expected, r.kept().scores[0], 1e-4f);
  }

  @Test
  void topKPerKind_unknownIds_droppedAndDoNotCountTowardsK() {
    Candidates in = candidates(new long[] {999, 1, 888, 3}, new byte[] {1, 1, 1, 1});
    PrerankScorer.Result r =
        new PrerankScorer(catalog()).topKPerKind(in, ANONYMOUS, new int[] {3, 0, 0});
    assertArrayEquals(new long[] {3, 1}, ids(r.kept()));
    assertArrayEquals(new boolean[] {true, false, false}, r.shortKinds());
  }

  @Test
  void topKPerKind_kZero_dropsThatKindWithoutMarkingItShort() {
    Candidates in = candidates(new long[] {1, 5, 7}, new byte[] {1, 2, 3});
    PrerankScorer.Result r =
        new PrerankScorer(catalog()).topKPerKind(in, ANONYMOUS, new int[] {5, 0, 0});
    assertArrayEquals(new long[] {1}, ids(r.kept()));
    assertArrayEquals(new boolean[] {true, false, false}, r.shortKinds());
  }

  @Test
  void topKPerKind_emptyInput_allKindsShort() {
    PrerankScorer.Result r =
        new PrerankScorer(catalog())
            .topKPerKind(Candidates.empty(), ANONYMOUS, new int[] {1, 1, 1});
    assertEquals(0, r.kept().size);
    assertArrayEquals(new boolean[] {true, true, true}, r.shortKinds());
  }

  @Test
  void topKPerKind_moreChannelsAndLeafAffinity_raiseAnOtherwiseEqualItem() {
    Catalog.Builder b = TestCatalogs.builder(3, 8);
    for (int i = 0; i < 3; i++) {
      b.impressions[i] = 1000;
      b.clicks[i] = 20;
    }
    b.categories[2] = 5;
    Catalog c = b.build();
    // ids 1 and 2 identical; id 2 found by two channels.
    Candidates in =
        new Candidates(
            new long[] {1, 2},
            new byte[] {1, 1},
            new float[] {0.5f, 0.5f},
            new int[] {ONE_CHANNEL, ONE_CHANNEL | Channel.CATEGORY.bit()},
            2);
    assertArrayEquals(
        new long[] {2, 1},
        ids(new PrerankScorer(c).topKPerKind(in, ANONYMOUS, new int[] {2, 0, 0}).kept()));
    // ids 1 and 3 identical but for the category; the user likes leaf 5.
    UserSignals likes5 =
        new UserSignals(
            new Affinities(new int[] {5}, new float[] {1f}), 0f, new long[0], false, 2, 4);
    Candidates in2 = candidates(new long[] {1, 3}, new byte[] {1, 1});
    assertArrayEquals(
        new long[] {3, 1},
        ids(new PrerankScorer(c).topKPerKind(in2, likes5, new int[] {2, 0, 0}).kept()));
    assertArrayEquals(
        new long[] {1, 3},
        ids(new PrerankScorer(c).topKPerKind(in2, ANONYMOUS, new int[] {2, 0, 0}).kept()));
  }
}
