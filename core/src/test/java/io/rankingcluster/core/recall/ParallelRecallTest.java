package io.rankingcluster.core.recall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rankingcluster.core.catalog.Catalog;
import io.rankingcluster.core.pipeline.StageException;
import io.rankingcluster.core.testutil.TestCatalogs;
import io.rankingcluster.core.user.UserProfiles.Affinities;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Channels run in parallel, each within its share of the budget; an overrunning or failing one is
 * dropped.
 */
class ParallelRecallTest {
  private final ExecutorService pool = Executors.newFixedThreadPool(4);
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void close() {
    release.countDown();
    pool.shutdownNow();
  }

  private static Catalog catalog() {
    return TestCatalogs.builder(6, 2).build();
  }

  /** Offers rows 0..2 and returns. */
  private static BoundChannel quick(Channel channel) {
    return new BoundChannel(
        channel,
        new CandidateSource() {
          @Override
          public void fetch(RecallQuery q, CandidateSink sink) {
            for (int r = 0; r < 3; r++) {
              sink.offer(r, 0.5f);
            }
          }
        },
        10);
  }

  /** Blocks until the test releases it, then tries to offer rows 3..5. */
  private BoundChannel stuck(Channel channel, CountDownLatch entered) {
    return new BoundChannel(
        channel,
        new CandidateSource() {
          @Override
          public void fetch(RecallQuery q, CandidateSink sink) {
            entered.countDown();
            try {
              release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            for (int r = 3; r < 6; r++) {
              sink.offer(r, 0.9f);
            }
          }
        },
        10);
  }

  private static RecallQuery query(Catalog c) {
    return new RecallQuery(
        c,
        new long[0],
        new Affinities(new int[0], new float[0]),
        -1,
        0L,
        new long[0],
        new int[] {10, 10, 10});
  }

  private static int[] limits() {
    int[] l = new int[Channel.MAX_NUMBER + 1];
    Arrays.fill(l, 10);
    return l;
  }

  private static double[] shares(double s) {
    double[] out = new double[Channel.MAX_NUMBER + 1];
    Arrays.fill(out, s);
    return out;
  }

  @Test
  void recall_channelOverrunsItsShare_droppedAndReported_othersReturned() throws Exception {
    Catalog c = catalog();
    CountDownLatch entered = new CountDownLatch(1);
    RecallEngine engine =
        new RecallEngine(c, List.of(quick(Channel.POPULAR), stuck(Channel.ANN, entered)));
    RecallEngine.Result r =
        engine.recall(query(c), limits(), shares(1.0), TimeUnit.MILLISECONDS.toNanos(200), pool);
    assertTrue(entered.await(10, TimeUnit.SECONDS), "the slow channel never started");
    assertEquals(3, r.candidates().size, "the quick channel's candidates are returned");
    RecallEngine.ChannelReport ann =
        r.channels().stream().filter(x -> x.channel() == Channel.ANN).findFirst().orElseThrow();
    assertTrue(ann.failure().startsWith("deadline_exceeded"), ann.failure());
    RecallEngine.ChannelReport popular =
        r.channels().stream().filter(x -> x.channel() == Channel.POPULAR).findFirst().orElseThrow();
    assertEquals("", popular.failure());
    assertEquals(3, popular.candidates());
    for (int i = 0; i < r.candidates().size; i++) {
      assertEquals(
          Channel.POPULAR.bit(), r.candidates().channelMasks[i], "no late ANN result is merged");
    }
  }

  @Test
  void recall_channelFailsAtRunTime_reportedAsFailed_othersReturned() {
    Catalog c = catalog();
    BoundChannel failing =
        new BoundChannel(
            Channel.FRESH,
            (q, sink) -> {
              throw new StageException("unavailable", "index not loaded");
            },
            10);
    RecallEngine engine = new RecallEngine(c, List.of(quick(Channel.POPULAR), failing));
    RecallEngine.Result r =
        engine.recall(query(c), limits(), shares(1.0), TimeUnit.SECONDS.toNanos(5), pool);
    assertEquals(3, r.candidates().size);
    RecallEngine.ChannelReport fresh =
        r.channels().stream().filter(x -> x.channel() == Channel.FRESH).findFirst().orElseThrow();
    assertTrue(fresh.failure().contains("index not loaded"), fresh.failure());
  }

  @Test
  void recall_channelThrowsNullPointer_isABug_theRecallFails() {
    Catalog c = catalog();
    BoundChannel buggy =
        new BoundChannel(
            Channel.FRESH,
            (q, sink) -> {
              throw new NullPointerException("a bug in the channel");
            },
            10);
    RecallEngine engine = new RecallEngine(c, List.of(quick(Channel.POPULAR), buggy));
    NullPointerException e =
        assertThrows(
            NullPointerException.class,
            () ->
                engine.recall(query(c), limits(), shares(1.0), TimeUnit.SECONDS.toNanos(5), pool));
    assertEquals("a bug in the channel", e.getMessage());
    assertThrows(
        NullPointerException.class,
        () -> engine.recall(query(c), limits()),
        "the sequential path alike");
  }

  @Test
  void recall_executorRefuses_channelReportedOverloaded() {
    Catalog c = catalog();
    ExecutorService closed = Executors.newSingleThreadExecutor();
    closed.shutdown();
    RecallEngine engine = new RecallEngine(c, List.of(quick(Channel.POPULAR)));
    RecallEngine.Result r =
        engine.recall(query(c), limits(), shares(1.0), TimeUnit.SECONDS.toNanos(5), closed);
    assertEquals(0, r.candidates().size);
    assertTrue(r.channels().get(0).failure().contains("overloaded"), r.channels().get(0).failure());
  }
}
