package io.rankingcluster.mixer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rankingcluster.core.pipeline.StageException;
import io.rankingcluster.core.recall.ChannelRegistry;
import io.rankingcluster.proto.v1.DegradedReason;
import io.rankingcluster.proto.v1.FeedItem;
import io.rankingcluster.proto.v1.RecommendRequest;
import io.rankingcluster.proto.v1.RecommendResponse;
import io.rankingcluster.proto.v1.RequestContext;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A channel registered in one line reaches the page under its name; a channel a shard dropped
 * degrades it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ChannelsThroughMixerTest {
  private static RecommendResponse page(TestCluster c, String user) {
    return c.mixerStub()
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .recommend(
            RecommendRequest.newBuilder()
                .setContext(
                    RequestContext.newBuilder().setUserId(user).setClientTimeMs(1_700_000_000_000L))
                .build());
  }

  @Test
  void recommend_channelAddedByOneRegistrationLine_itsNameOnTheItemsItFound() throws Exception {
    // The newest items first, with a score above every standard channel's: they make the page.
    ChannelRegistry registry =
        ChannelRegistry.standard()
            .with(
                "test_newest",
                shard ->
                    (query, sink) -> {
                      int[] rows =
                          io.rankingcluster.core.Order.byScoreDescending(
                              toFloat(shard.catalog().createdMs), shard.catalog().size());
                      for (int row : rows) {
                        if (!sink.offer(row, 1f)) {
                          break;
                        }
                      }
                    });
    try (TestCluster c =
        TestCluster.builder()
            .shards(2)
            .channels(registry, "popular,category,live_now,test_newest:50")
            .start()) {
      RecommendResponse r = page(c, "7");
      assertFalse(r.getDegraded(), () -> r.getDegradedReasonsList().toString());
      long named =
          r.getItemsList().stream()
              .filter(i -> i.getChannelNamesList().contains("test_newest"))
              .count();
      assertTrue(named > 0, "items found by the new channel carry its name: " + r.getItemsList());
      for (FeedItem it : r.getItemsList()) {
        assertFalse(it.getChannelNamesList().isEmpty(), "every item names its channels");
        assertEquals(
            it.getChannelsCount(),
            it.getChannelNamesList().stream().filter(n -> !n.equals("test_newest")).count(),
            "the enum lists the standard ones among them");
      }
    }
  }

  @Test
  void recommend_channelDroppedOnAShard_pageDegradedNamingTheChannel() throws Exception {
    ChannelRegistry registry =
        ChannelRegistry.standard()
            .with(
                "flaky_index",
                shard ->
                    (query, sink) -> {
                      throw new StageException("unavailable", "index server down");
                    });
    try (TestCluster c =
        TestCluster.builder()
            .shards(1)
            .channels(registry, "popular,category,fresh,live_now,flaky_index")
            .start()) {
      RecommendResponse r = page(c, "7");
      assertEquals(20, r.getItemsCount(), "the other channels still fill the page");
      assertTrue(r.getDegraded());
      DegradedReason reason =
          r.getDegradedReasonsList().stream()
              .filter(d -> d.getStage().equals("channel_flaky_index"))
              .findFirst()
              .orElseThrow(() -> new AssertionError(r.getDegradedReasonsList().toString()));
      assertEquals("unavailable", reason.getCause());
      assertTrue(
          reason.getDetail().contains("shard 0")
              && reason.getDetail().contains("index server down"),
          reason.getDetail());
    }
  }

  @Test
  void recommend_onlyShardAnswersInternal_lastResortPageNamingTheShard() throws Exception {
    ChannelRegistry registry =
        ChannelRegistry.standard()
            .with(
                "buggy",
                shard ->
                    (query, sink) -> {
                      throw new IllegalStateException("a bug");
                    });
    // The bug fails the shard's Recall with INTERNAL (in its own process); to the mixer that is the
    // shard's runtime failure. With no other shard, no shard answered: the page comes from the
    // last resort, and its reason names the shard and its cause.
    try (TestCluster c =
        TestCluster.builder().shards(1).channels(registry, "popular,buggy").start()) {
      RecommendResponse r = page(c, "7");
      DegradedReason recall =
          r.getDegradedReasonsList().stream()
              .filter(d -> d.getStage().equals("recall"))
              .findFirst()
              .orElseThrow(() -> new AssertionError(r.getDegradedReasonsList().toString()));
      assertEquals("last_resort", recall.getCause());
      assertTrue(recall.getDetail().contains("recall_shard_0: internal"), recall.getDetail());
      assertEquals(20, r.getItemsCount());
    }
  }

  private static float[] toFloat(long[] v) {
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i];
    }
    return out;
  }
}
