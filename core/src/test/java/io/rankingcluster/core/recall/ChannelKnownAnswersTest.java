package io.rankingcluster.core.recall;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rankingcluster.core.catalog.Catalog;
import io.rankingcluster.core.embed.Embeddings;
import io.rankingcluster.core.testutil.TestCatalogs;
import io.rankingcluster.core.user.UserProfiles.Affinities;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Each channel on a hand-built catalog whose right answer is known. */
class ChannelKnownAnswersTest {
  private static final Affinities NONE = new Affinities(new int[0], new float[0]);

  private static long[] run(CandidateSource source, RecallQuery q, int limit, Catalog c) {
    CandidateSink sink = new CandidateSink(q, limit);
    source.fetch(q, sink);
    long[] ids = new long[sink.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = c.ids[sink.rows()[i]];
    }
    return ids;
  }

  private static RecallQuery query(
      Catalog c, long[] recent, float[] vector, Affinities a, int country) {
    return new RecallQuery(
        c, recent, vector, a, country, 0L, new long[0], new int[] {100, 100, 100});
  }

  @Test
  void popular_mostClickedFirst_onlyItemsSoldInTheCountry() {
    Catalog.Builder b = TestCatalogs.builder(5, 1);
    int[] clicks = {5, 50, 20, 80, 1};
    System.arraycopy(clicks, 0, b.clicks, 0, 5);
    b.countryMasks[3] = 1 << 2; // item 4, the most clicked, sells only in COUNTRIES[2]
    Catalog c = b.build();
    assertArrayEquals(
        new long[] {2, 3, 1, 5},
        run(new PopularCandidateSource(c), query(c, new long[0], new float[0], NONE, 0), 10, c));
    assertArrayEquals(
        new long[] {4, 2, 3},
        run(new PopularCandidateSource(c), query(c, new long[0], new float[0], NONE, 2), 3, c));
  }

  @Test
  void category_splitsQuotaByAffinity_popularFirstWithinCategory() {
    Catalog.Builder b = TestCatalogs.builder(6, 3);
    int[] cats = {0, 0, 0, 1, 1, 2};
    int[] clicks = {1, 9, 5, 7, 3, 100};
    System.arraycopy(cats, 0, b.categories, 0, 6);
    System.arraycopy(clicks, 0, b.clicks, 0, 6);
    Catalog c = b.build();
    Affinities a = new Affinities(new int[] {0, 1}, new float[] {0.5f, 0.5f});
    // quota 4: two from category 0 (items 2, 3), two from category 1 (items 4, 5); category 2 not
    // asked for
    assertArrayEquals(
        new long[] {2, 3, 4, 5},
        run(new CategoryCandidateSource(c), query(c, new long[0], new float[0], a, -1), 4, c));
    assertEquals(
        0,
        run(new CategoryCandidateSource(c), query(c, new long[0], new float[0], NONE, -1), 4, c)
            .length,
        "no interests, no category candidates");
  }

  @Test
  void fresh_newestFirst_onlyRecentAndRarelyShown() {
    Catalog.Builder b = TestCatalogs.builder(4, 1);
    long day = 86_400_000L;
    b.createdMs[0] = 100 * day; // newest
    b.createdMs[1] = 99 * day; // one day older
    b.createdMs[2] = 99 * day;
    b.impressions[2] = 1_000; // already widely shown: not cold
    b.createdMs[3] = 10 * day; // old
    Catalog c = b.build();
    assertArrayEquals(
        new long[] {1, 2},
        run(new FreshCandidateSource(c), query(c, new long[0], new float[0], NONE, -1), 10, c));
  }

  @Test
  void itemToItem_neighboursOfRecentItems_recencyWeighted_ownItemsOnly() {
    Catalog c = TestCatalogs.builder(6, 1).build(); // ids 1..6
    // neighbours: 1 -> {3 (0.9), 4 (0.5)}; 2 -> {4 (0.9), 5 (0.8), 99 (1.0, not in this catalog)}
    ItemNeighbours n =
        new ItemNeighbours(
            new int[] {0, 2, 5, 5, 5, 5, 5},
            new long[] {3, 4, 99, 4, 5},
            new float[] {0.9f, 0.5f, 1.0f, 0.9f, 0.8f});
    ItemToItemCandidateSource source = new ItemToItemCandidateSource(c, n, c.ids);
    // recent: 2 (weight 1), then 1 (weight 0.85): 4 = 0.9 + 0.85*0.5 = 1.325; 5 = 0.8; 3 = 0.85*0.9
    // = 0.765
    assertArrayEquals(
        new long[] {4, 5, 3},
        run(source, query(c, new long[] {2, 1}, new float[0], NONE, -1), 10, c));
    assertEquals(0, run(source, query(c, new long[0], new float[0], NONE, -1), 10, c).length);
  }

  @Test
  void exactEmbedding_largestDotProductFirst_rejectsWrongDimension() {
    Catalog c = TestCatalogs.builder(3, 1).build();
    Embeddings e = new Embeddings(3, 2, new float[] {1, 0, 0, 1, 0.7f, 0.7f});
    ExactEmbeddingCandidateSource source = new ExactEmbeddingCandidateSource(e);
    assertArrayEquals(
        new long[] {2, 3, 1},
        run(source, query(c, new long[0], new float[] {0.1f, 1f}, NONE, -1), 10, c));
    assertEquals(
        0,
        run(source, query(c, new long[0], new float[0], NONE, -1), 10, c).length,
        "no vector, no candidates");
    IllegalArgumentException wrong =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class,
            () -> run(source, query(c, new long[0], new float[] {1, 2, 3}, NONE, -1), 10, c));
    assertTrue(wrong.getMessage().contains("dimensions"), wrong.getMessage());
  }

  @Test
  void topK_keepsBestFirst() {
    TopK top = new TopK(3);
    float[] s = {0.1f, 0.9f, 0.5f, 0.7f, 0.3f};
    for (int i = 0; i < s.length; i++) {
      top.offer(i, s[i]);
    }
    assertArrayEquals(new int[] {1, 3, 2}, top.rowsBestFirst());
    assertTrue(Arrays.equals(new float[] {0.9f, 0.7f, 0.5f}, top.scoresBestFirst()));
  }
}
