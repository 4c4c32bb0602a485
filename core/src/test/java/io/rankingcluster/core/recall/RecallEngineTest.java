package io.rankingcluster.core.recall;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rankingcluster.core.ItemKind;
import io.rankingcluster.core.catalog.Catalog;
import io.rankingcluster.core.pipeline.StageException;
import io.rankingcluster.core.testutil.TestCatalogs;
import io.rankingcluster.core.user.UserProfiles.Affinities;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RecallEngineTest {
  /** 2026-01-01T00:00:00Z: the demo world's clock, as a fixed instant for these tests. */
  private static final long AS_OF_MS = 1_767_225_600_000L;

  private static final Affinities NONE = new Affinities(new int[0], new float[0]);

  /** A test channel that knows the channel it plays. */
  private interface Tagged extends CandidateSource {
    Channel channel();
  }

  private static RecallEngine engine(Catalog c, List<? extends Tagged> sources) {
    return new RecallEngine(
        c, sources.stream().map(s -> new BoundChannel(s.channel(), s, 100)).toList());
  }

  /** A channel that offers fixed rows with fixed scores, in the given order. */
  private static final class FixedSource implements Tagged {
    final Channel channel;
    final int[] rows;
    final float[] scores;
    final AtomicInteger calls = new AtomicInteger();

    FixedSource(Channel channel, int[] rows, float[] scores) {
      this.channel = channel;
      this.rows = rows;
      this.scores = scores;
    }

    @Override
    public Channel channel() {
      return channel;
    }

    @Override
    public void fetch(RecallQuery query, CandidateSink sink) {
      calls.incrementAndGet();
      for (int i = 0; i < rows.length; i++) {
        if (!sink.offer(rows[i], scores[i])) {
          break;
        }
      }
    }
  }

  /** A channel that offers one row and then fails. */
  private static final class ThrowingSource implements Tagged {
    final Channel channel;
    final RuntimeException failure;

    ThrowingSource(Channel channel, RuntimeException failure) {
      this.channel = channel;
      this.failure = failure;
    }

    @Override
    public Channel channel() {
      return channel;
    }

    @Override
    public void fetch(RecallQuery query, CandidateSink sink) {
      sink.offer(4, 1f);
      throw failure;
    }
  }

  /** ids 1..5: products (rows 0..4); ids 6, 7: videos; id 8: a stream on air all day. */
  private static Catalog catalog() {
    Catalog.Builder b = TestCatalogs.builder(8, 4);
    TestCatalogs.video(b, 5);
    TestCatalogs.video(b, 6);
    TestCatalogs.liveStream(b, 7, 0, 1440);
    return b.build();
  }

  private static RecallQuery query(Catalog c, long[] exclude, int... kindLimits) {
    return new RecallQuery(c, new long[0], NONE, -1, AS_OF_MS, exclude, kindLimits);
  }

  private static int[] limits(Channel... channels) {
    int[] l = new int[Channel.MAX_NUMBER + 1];
    for (Channel ch : channels) {
      l[ch.number()] = 100;
    }
    return l;
  }

  private static long[] ids(Candidates c) {
    return Arrays.copyOf(c.ids, c.size);
  }

  @Test
  void recall_sameItemFromTwoChannels_mergedOnceWithBothBitsAndMaxScore() {
    Catalog c = catalog();
    RecallEngine engine =
        engine(
            c,
            List.of(
                new FixedSource(Channel.POPULAR, new int[] {0, 1}, new float[] {0.3f, 0.5f}),
                new FixedSource(
                    Channel.CATEGORY, new int[] {2, 0, 1}, new float[] {0.1f, 0.9f, 0.2f})));
    RecallEngine.Result r =
        engine.recall(query(c, new long[0], 10, 10, 10), limits(Channel.POPULAR, Channel.CATEGORY));
    Candidates out = r.candidates();
    // id 1: 0.3 then 0.9 -> 0.9; id 2: 0.5 then 0.2 -> 0.5 (the later, lower score must not win);
    // id 3: 0.1.
    assertArrayEquals(new long[] {1, 2, 3}, ids(out));
    assertArrayEquals(new float[] {0.9f, 0.5f, 0.1f}, Arrays.copyOf(out.scores, 3));
    int both = Channel.POPULAR.bit() | Channel.CATEGORY.bit();
    assertArrayEquals(
        new int[] {both, both, Channel.CATEGORY.bit()}, Arrays.copyOf(out.channelMasks, 3));
    assertArrayEquals(new byte[] {1, 1, 1}, Arrays.copyOf(out.kinds, 3));
    assertEquals(2, r.channels().size());
    assertEquals(2, r.channels().get(0).candidates());
    assertEquals(3, r.channels().get(1).candidates());
    assertEquals("", r.channels().get(0).failure());
  }

  @Test
  void recall_kindLimits_keepHighestScoringOfEachKind() {
    Catalog c = catalog();
    RecallEngine engine =
        engine(
            c,
            List.of(
                new FixedSource(
                    Channel.POPULAR,
                    new int[] {0, 1, 2, 3, 4, 5, 6, 7},
                    new float[] {0.1f, 0.5f, 0.3f, 0.9f, 0.7f, 0.2f, 0.8f, 0.6f})));
    Candidates out =
        engine.recall(query(c, new long[0], 2, 1, 1), limits(Channel.POPULAR)).candidates();
    // Products 4 (0.9) and 5 (0.7); video 7 (0.8); the stream 8 (0.6). Lower-scored ones are cut.
    assertArrayEquals(new long[] {4, 7, 5, 8}, ids(out));
    int[] perKind = new int[ItemKind.COUNT];
    for (int i = 0; i < out.size; i++) {
      perKind[out.kinds[i] - 1]++;
    }
    assertArrayEquals(new int[] {2, 1, 1}, perKind);
  }

  @Test
  void recall_channelFailsAtRunTime_reportedAsFailureAndOtherChannelsStillReturn() {
    Catalog c = catalog();
    // The failing channel comes first, so that a misaligned channel bit would show in the masks.
    RecallEngine engine =
        engine(
            c,
            List.of(
                new ThrowingSource(
                    Channel.FRESH, new StageException("unavailable", "index server down")),
                new FixedSource(Channel.POPULAR, new int[] {0}, new float[] {0.5f}),
                new ThrowingSource(Channel.ANN, new StageException("failed", "corrupt vectors")),
                new FixedSource(Channel.CATEGORY, new int[] {1}, new float[] {0.4f})));
    RecallEngine.Result r =
        engine.recall(
            query(c, new long[0], 10, 10, 10),
            limits(Channel.FRESH, Channel.POPULAR, Channel.ANN, Channel.CATEGORY));
    Candidates out = r.candidates();
    // Row 4 (id 5), offered by the failing channels before they threw, is dropped with them.
    assertArrayEquals(new long[] {1, 2}, ids(out));
    assertArrayEquals(
        new int[] {Channel.POPULAR.bit(), Channel.CATEGORY.bit()},
        Arrays.copyOf(out.channelMasks, 2));

    List<RecallEngine.ChannelReport> reports = r.channels();
    assertEquals(4, reports.size());
    assertEquals(Channel.FRESH, reports.get(0).channel());
    assertEquals("unavailable: index server down", reports.get(0).failure());
    assertEquals(0, reports.get(0).candidates());
    assertEquals(Channel.POPULAR, reports.get(1).channel());
    assertEquals("", reports.get(1).failure());
    assertEquals(1, reports.get(1).candidates());
    assertEquals("failed: failed: corrupt vectors", reports.get(2).failure());
    assertEquals("", reports.get(3).failure());
    assertEquals(1, reports.get(3).candidates());
  }

  @Test
  void recall_channelThrowsIllegalState_isABug_notADroppedChannel() {
    Catalog c = catalog();
    RecallEngine engine =
        engine(
            c,
            List.of(
                new FixedSource(Channel.POPULAR, new int[] {0}, new float[] {0.5f}),
                new ThrowingSource(Channel.FRESH, new IllegalStateException("index corrupt"))));
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                engine.recall(
                    query(c, new long[0], 10, 10, 10), limits(Channel.POPULAR, Channel.FRESH)));
    assertEquals("index corrupt", e.getMessage());
  }

  @Test
  void explain_itemInsideAndOutsideAChannelsCut_rankScoreAndCutoff() {
    Catalog c = catalog();
    RecallEngine engine =
        engine(
            c,
            List.of(
                new FixedSource(
                    Channel.POPULAR,
                    new int[] {0, 1, 2, 3},
                    new float[] {0.9f, 0.8f, 0.7f, 0.6f})));
    int[] l = new int[Channel.MAX_NUMBER + 1];
    l[Channel.POPULAR.number()] = 2;
    RecallQuery q = query(c, new long[] {3}, 10, 10, 10);
    CandidateSource.Verdict inside = engine.explain(q, 1, l).get(0).verdict();
    assertTrue(inside.found() && inside.admitted());
    assertEquals(2, inside.rank());
    assertEquals(0.8f, inside.score());
    assertEquals(0.8f, inside.cutoff(), "the limit's last candidate sets the cut-off");
    CandidateSource.Verdict outside = engine.explain(q, 3, l).get(0).verdict();
    assertFalse(outside.found());
    assertEquals(0.8f, outside.cutoff());
    CandidateSource.Verdict excluded = engine.explain(q, 2, l).get(0).verdict();
    assertFalse(excluded.found() || excluded.admitted(), "id 3 is excluded by the query");
  }

  @Test
  void recall_channelLimitZero_channelSkippedAndNotReported() {
    Catalog c = catalog();
    FixedSource popular = new FixedSource(Channel.POPULAR, new int[] {0}, new float[] {0.5f});
    FixedSource fresh = new FixedSource(Channel.FRESH, new int[] {1}, new float[] {0.6f});
    RecallEngine engine = engine(c, List.of(popular, fresh));
    RecallEngine.Result r =
        engine.recall(query(c, new long[0], 10, 10, 10), limits(Channel.POPULAR));
    assertArrayEquals(new long[] {1}, ids(r.candidates()));
    assertEquals(1, r.channels().size());
    assertEquals(Channel.POPULAR, r.channels().get(0).channel());
    assertEquals(0, fresh.calls.get());
  }

  @Test
  void recall_channelLimit_capsWhatAChannelContributes() {
    Catalog c = catalog();
    RecallEngine engine =
        engine(
            c,
            List.of(
                new FixedSource(
                    Channel.POPULAR,
                    new int[] {0, 1, 2, 3},
                    new float[] {0.9f, 0.8f, 0.7f, 0.6f})));
    int[] l = new int[Channel.MAX_NUMBER + 1];
    l[Channel.POPULAR.number()] = 2;
    RecallEngine.Result r = engine.recall(query(c, new long[0], 10, 10, 10), l);
    assertArrayEquals(new long[] {1, 2}, ids(r.candidates()));
    assertEquals(2, r.channels().get(0).candidates());
  }

  @Test
  void recall_repeatedCallsOnOneEngine_doNotLeakStateBetweenRequests() {
    Catalog c = catalog();
    RecallEngine engine =
        engine(
            c,
            List.of(
                new FixedSource(Channel.POPULAR, new int[] {0, 1}, new float[] {0.9f, 0.2f}),
                new FixedSource(Channel.CATEGORY, new int[] {1}, new float[] {0.4f})));
    int[] l = limits(Channel.POPULAR, Channel.CATEGORY);
    Candidates first = engine.recall(query(c, new long[0], 10, 10, 10), l).candidates();
    assertArrayEquals(new long[] {1, 2}, ids(first));
    Candidates second = engine.recall(query(c, new long[] {2}, 10, 10, 10), l).candidates();
    assertArrayEquals(new long[] {1}, ids(second));
    assertArrayEquals(new int[] {Channel.POPULAR.bit()}, Arrays.copyOf(second.channelMasks, 1));
    Candidates third = engine.recall(query(c, new long[0], 10, 10, 10), l).candidates();
    assertArrayEquals(new long[] {1, 2}, ids(third));
    assertArrayEquals(new float[] {0.9f, 0.4f}, Arrays.copyOf(third.scores, 2));
    assertArrayEquals(
        new int[] {Channel.POPULAR.bit(), Channel.POPULAR.bit() | Channel.CATEGORY.bit()},
        Arrays.copyOf(third.channelMasks, 2));
  }
}
