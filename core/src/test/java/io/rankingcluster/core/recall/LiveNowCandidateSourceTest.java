package io.rankingcluster.core.recall;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rankingcluster.core.catalog.Catalog;
import io.rankingcluster.core.testutil.TestCatalogs;
import io.rankingcluster.core.user.UserProfiles.Affinities;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class LiveNowCandidateSourceTest {
  /** 2026-01-01T00:00:00Z: the demo world's clock, as a fixed instant for these tests. */
  private static final long AS_OF_MS = 1_767_225_600_000L;

  /** Midnight UTC, a few days after the world's clock (any midnight works: schedules are daily). */
  private static final long MIDNIGHT = AS_OF_MS + 3 * 86_400_000L;

  /**
   * id 1: product; id 2: stream 10:00-11:00 (5 clicks); id 3: stream 23:00-01:00, wrapping midnight
   * (50 clicks); id 4: stream 00:00-00:30 (20 clicks); id 5: video.
   */
  private static Catalog catalog() {
    Catalog.Builder b = TestCatalogs.builder(5, 4);
    TestCatalogs.liveStream(b, 1, 600, 60);
    TestCatalogs.liveStream(b, 2, 1380, 120);
    TestCatalogs.liveStream(b, 3, 0, 30);
    TestCatalogs.video(b, 4);
    b.clicks[0] = 1000; // the most clicked item is a product: it must never appear
    b.clicks[1] = 5;
    b.clicks[2] = 50;
    b.clicks[3] = 20;
    b.clicks[4] = 900;
    for (int i = 0; i < 5; i++) {
      b.impressions[i] = 5000;
    }
    return b.build();
  }

  private static long at(int hour, int minute) {
    return MIDNIGHT + (hour * 60L + minute) * 60_000L;
  }

  private static long[] liveIdsAt(Catalog c, long timeMs, int limit) {
    RecallQuery q =
        new RecallQuery(
            c,
            new long[0],
            new Affinities(new int[0], new float[0]),
            -1,
            timeMs,
            new long[0],
            new int[] {10, 10, 10});
    CandidateSink sink = new CandidateSink(q, limit);
    new LiveNowCandidateSource(c).fetch(q, sink);
    long[] ids = new long[sink.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = c.ids[sink.rows[i]];
    }
    return ids;
  }

  @Test
  void fetch_justAfterMidnight_returnsWrappingAndMidnightStreamsMostClickedFirst() {
    assertArrayEquals(new long[] {3, 4}, liveIdsAt(catalog(), at(0, 10), 10));
  }

  @Test
  void fetch_scheduleWrappingMidnight_onAirUntilItsEndOnly() {
    Catalog c = catalog();
    assertArrayEquals(new long[0], liveIdsAt(c, at(22, 59), 10));
    assertArrayEquals(new long[] {3}, liveIdsAt(c, at(23, 0), 10));
    assertArrayEquals(new long[] {3}, liveIdsAt(c, at(23, 59), 10));
    assertArrayEquals(new long[] {3}, liveIdsAt(c, at(0, 59), 10));
    assertArrayEquals(new long[0], liveIdsAt(c, at(1, 0), 10));
  }

  @Test
  void fetch_daytimeSchedule_endIsExclusive() {
    Catalog c = catalog();
    assertArrayEquals(new long[0], liveIdsAt(c, at(9, 59), 10));
    assertArrayEquals(new long[] {2}, liveIdsAt(c, at(10, 0), 10));
    assertArrayEquals(new long[] {2}, liveIdsAt(c, at(10, 59), 10));
    assertArrayEquals(new long[0], liveIdsAt(c, at(11, 0), 10));
    // The 00:00-00:30 stream (id 4) is off at 00:30 while the wrapping one (id 3) is still on.
    assertArrayEquals(new long[] {3, 4}, liveIdsAt(c, at(0, 29), 10));
    assertArrayEquals(new long[] {3}, liveIdsAt(c, at(0, 30), 10));
  }

  @Test
  void fetch_limitSmallerThanOnAir_keepsMostClicked() {
    assertArrayEquals(new long[] {3}, liveIdsAt(catalog(), at(0, 10), 1));
  }

  @Test
  void fetch_scores_arePopularityScaledToMostClickedItem() {
    Catalog c = catalog();
    RecallQuery q =
        new RecallQuery(
            c,
            new long[0],
            new Affinities(new int[0], new float[0]),
            -1,
            at(0, 10),
            new long[0],
            new int[] {10, 10, 10});
    CandidateSink sink = new CandidateSink(q, 10);
    new LiveNowCandidateSource(c).fetch(q, sink);
    // log1p(clicks) / log1p(1000): the catalog's most clicked item (a product) scores 1.
    float[] expected = {
      (float) (Math.log1p(50) / Math.log1p(1000)), (float) (Math.log1p(20) / Math.log1p(1000))
    };
    assertArrayEquals(expected, Arrays.copyOf(sink.scores, sink.size()), 1e-6f);
  }

  @Test
  void fetch_liveStreamsNotWanted_returnsNothing() {
    Catalog c = catalog();
    RecallQuery q =
        new RecallQuery(
            c,
            new long[0],
            new Affinities(new int[0], new float[0]),
            -1,
            at(0, 10),
            new long[0],
            new int[] {10, 10, 0});
    CandidateSink sink = new CandidateSink(q, 10);
    new LiveNowCandidateSource(c).fetch(q, sink);
    assertEquals(0, sink.size());
  }

  @Test
  void fetch_indexedBySliceOfTheDay_equalsWalkingEveryStream_atEveryMinute() {
    java.util.Random r = new java.util.Random(11);
    int n = 400;
    Catalog.Builder b = TestCatalogs.builder(n, 4);
    for (int row = 0; row < n; row++) {
      int duration = r.nextInt(10) == 0 ? 1440 : 1 + r.nextInt(r.nextBoolean() ? 60 : 1439);
      TestCatalogs.liveStream(b, row, r.nextInt(1440), duration);
      b.clicks[row] = r.nextInt(1000);
      b.impressions[row] = 5000;
    }
    Catalog c = b.build();
    float[] score = Popularity.scores(c);
    int[] all = Popularity.sortedRows(c, score, row -> true);
    for (int minute = 0; minute < 1440; minute++) {
      int m = minute;
      long[] expected =
          Arrays.stream(all)
              .filter(row -> c.liveAtMinute(row, m))
              .mapToLong(row -> c.ids[row])
              .toArray();
      assertArrayEquals(expected, liveIdsAt(c, MIDNIGHT + minute * 60_000L, n), "minute " + minute);
    }
  }
}
