package io.rankingcluster.core.ann;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rankingcluster.core.catalog.Catalog;
import io.rankingcluster.core.embed.Embeddings;
import io.rankingcluster.core.recall.CandidateSink;
import io.rankingcluster.core.recall.ExactEmbeddingCandidateSource;
import io.rankingcluster.core.recall.RecallQuery;
import io.rankingcluster.core.testutil.TestCatalogs;
import io.rankingcluster.core.user.UserProfiles.Affinities;
import org.junit.jupiter.api.Test;

class HnswCandidateSourceTest {
  static final int N = 4000;
  static final Embeddings ITEMS = HnswIndexTest.gaussian(N, 16, 11);
  static final HnswIndex INDEX = HnswIndex.build(ITEMS, new HnswIndex.Params(16, 100), 1);
  static final float[] USER = HnswIndexTest.rowsOf(HnswIndexTest.gaussian(1, 16, 12))[0];

  /** Every third row a video; every seventh out of stock. */
  static Catalog catalog() {
    Catalog.Builder b = TestCatalogs.builder(N, 4);
    for (int r = 0; r < N; r++) {
      if (r % 3 == 0) {
        TestCatalogs.video(b, r);
      }
      b.inStock[r] = r % 7 != 0;
    }
    return b.build();
  }

  static RecallQuery query(Catalog c, long[] exclude, int[] kindLimits) {
    return new RecallQuery(
        c,
        new long[0],
        USER,
        new Affinities(new int[0], new float[0]),
        -1,
        0L,
        exclude,
        kindLimits);
  }

  static int[] fetch(
      io.rankingcluster.core.recall.CandidateSource source, RecallQuery q, int limit) {
    CandidateSink sink = new CandidateSink(q, limit);
    source.fetch(q, sink);
    return java.util.Arrays.copyOf(sink.rows(), sink.size());
  }

  @Test
  void fetch_sinkFilter_everyOfferedRowAdmittedAndQuotaFilled() {
    Catalog c = catalog();
    // Exclude the 30 best items outright, and ask for products only.
    int[] best = HnswIndexTest.exactOver(ITEMS, USER, 30);
    long[] exclude = new long[best.length];
    for (int i = 0; i < best.length; i++) {
      exclude[i] = c.ids[best[i]];
    }
    RecallQuery q = query(c, exclude, new int[] {100, 0, 100});
    int[] rows = fetch(new HnswCandidateSource(INDEX, 64), q, 50);
    assertEquals(50, rows.length, "quota filled although the best items are refused");
    for (int row : rows) {
      assertTrue(q.admits(row), "row " + row + " is not admitted by the query");
    }
    int[] exact = fetch(new ExactEmbeddingCandidateSource(ITEMS), q, 50);
    assertTrue(
        HnswIndexTest.overlap(exact, rows) >= 45,
        "overlap with the exact channel " + HnswIndexTest.overlap(exact, rows));
  }

  @Test
  void fetch_scoresInZeroOneBestFirst_sameSquashAsTheExactChannel() {
    Catalog c = catalog();
    RecallQuery q = query(c, new long[0], new int[] {100, 100, 100});
    CandidateSink sink = new CandidateSink(q, 20);
    new HnswCandidateSource(INDEX, 64).fetch(q, sink);
    CandidateSink exact = new CandidateSink(q, 20);
    new ExactEmbeddingCandidateSource(ITEMS).fetch(q, exact);
    assertEquals(exact.rows()[0], sink.rows()[0]);
  }

  @Test
  void fetch_noUserVector_offersNothing() {
    Catalog c = catalog();
    RecallQuery q =
        new RecallQuery(
            c,
            new long[0],
            new Affinities(new int[0], new float[0]),
            -1,
            0L,
            new long[0],
            new int[] {100, 100, 100});
    assertEquals(0, fetch(new HnswCandidateSource(INDEX, 64), q, 20).length);
  }
}
