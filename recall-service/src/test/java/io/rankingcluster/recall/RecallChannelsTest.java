package io.rankingcluster.recall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.rankingcluster.common.server.Validation;
import io.rankingcluster.common.snapshot.Versioned;
import io.rankingcluster.common.testing.TestServer;
import io.rankingcluster.core.recall.ChannelRegistry;
import io.rankingcluster.proto.v1.ChannelLimit;
import io.rankingcluster.proto.v1.ChannelStats;
import io.rankingcluster.proto.v1.RecallChannel;
import io.rankingcluster.proto.v1.RecallRequest;
import io.rankingcluster.proto.v1.RecallResponse;
import io.rankingcluster.proto.v1.RecallServiceGrpc;
import io.rankingcluster.proto.v1.RequestContext;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Channels come from the registry and --channels: a new one is a class and a line; its bugs are not
 * hidden.
 */
class RecallChannelsTest {
  /** The standard channels and one defined in the test tree: one registration line. */
  static final ChannelRegistry REGISTRY =
      ChannelRegistry.standard()
          .with(
              "every_other", shard -> new EveryOtherItemCandidateSource(shard.catalog().size(), 2));

  private TestServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private RecallServiceGrpc.RecallServiceBlockingStub start(
      ChannelRegistry registry, String channels) throws Exception {
    RecallConfig limits = RecallConfig.parse("--channels=" + channels);
    ShardData shard =
        ShardData.of(
            ShardDataTest.SNAPSHOT,
            null,
            0,
            1,
            ShardDataTest.options("--ann=exact"),
            limits.selection(registry));
    RecallServiceImpl impl = new RecallServiceImpl(Versioned.fixed("v1", shard), limits, registry);
    server = TestServer.start("recall-service", impl).closeOnStop(impl::close);
    return RecallServiceGrpc.newBlockingStub(server.channel())
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private static RecallRequest request() {
    return RecallRequest.newBuilder()
        .setContext(RequestContext.newBuilder().setUserId("1").setClientTimeMs(1_700_000_000_000L))
        .build();
  }

  private static ChannelStats stats(RecallResponse r, String name) {
    return r.getChannelStatsList().stream()
        .filter(c -> c.getName().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new AssertionError(
                    "no channel_stats for " + name + ": " + r.getChannelStatsList()));
  }

  @Test
  void recall_channelAddedInTheTestTree_itsCandidatesAndStatsUnderItsName() throws Exception {
    RecallResponse r = start(REGISTRY, "popular:50,every_other:30").recall(request());
    ChannelStats added = stats(r, "every_other");
    assertEquals(7, added.getMaskBit(), "the next free bit after the six standard channels");
    assertEquals(
        RecallChannel.RECALL_CHANNEL_UNSPECIFIED,
        added.getChannel(),
        "no enum value for a new channel");
    assertEquals(30, added.getCandidates());
    assertEquals("", added.getFailure());
    int bit = 1 << added.getMaskBit();
    long found =
        r.getCandidates().getChannelMasksList().stream().filter(m -> (m & bit) != 0).count();
    assertTrue(found > 0 && found <= 30, "candidates carry the new channel's bit: " + found);
    assertEquals(
        List.of("popular", "every_other"),
        r.getChannelStatsList().stream().map(ChannelStats::getName).toList(),
        "only the listed channels run, in --channels order");
    assertEquals(RecallChannel.RECALL_CHANNEL_POPULAR, stats(r, "popular").getChannel());
  }

  @Test
  void recall_channelLimitByName_capsThatChannel() throws Exception {
    var stub = start(REGISTRY, "popular:50,every_other:30");
    RecallResponse r =
        stub.recall(
            request().toBuilder()
                .addChannelLimits(ChannelLimit.newBuilder().setName("every_other").setLimit(5))
                .build());
    assertEquals(5, stats(r, "every_other").getCandidates());
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                stub.recall(
                    request().toBuilder()
                        .addChannelLimits(ChannelLimit.newBuilder().setName("no_such").setLimit(5))
                        .build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertTrue(
        e.getStatus().getDescription().contains("channel_limits[0].name")
            && e.getStatus().getDescription().contains("no_such"),
        e.getStatus().getDescription());
  }

  @Test
  void recall_channelThrowsNullPointer_theCallFailsInternal_notADroppedChannel() throws Exception {
    ChannelRegistry buggy =
        ChannelRegistry.standard()
            .with(
                "buggy",
                shard ->
                    (query, sink) -> {
                      throw new NullPointerException("bug in the channel");
                    });
    var stub = start(buggy, "popular,buggy");
    StatusRuntimeException e =
        assertThrows(StatusRuntimeException.class, () -> stub.recall(request()));
    assertEquals(Status.Code.INTERNAL, e.getStatus().getCode(), e.getStatus().toString());
  }

  @Test
  void channels_unknownName_stopsTheStartNamingIt() {
    RecallConfig limits = RecallConfig.parse("--channels=ann:300,popular,nearest_stores");
    Validation.ConfigException e =
        assertThrows(
            Validation.ConfigException.class, () -> limits.selection(ChannelRegistry.standard()));
    assertTrue(
        e.getMessage().contains("--channels") && e.getMessage().contains("nearest_stores"),
        e.getMessage());
  }

  @Test
  void channels_defaultList_isEveryStandardChannelInMergeOrder() {
    var selected = RecallConfig.defaults().selection(ChannelRegistry.standard());
    assertEquals(
        List.of("ann", "item_to_item", "popular", "category", "fresh", "live_now"),
        selected.stream().map(s -> s.registration().channel().label()).toList());
    assertEquals(300, selected.get(0).limit());
    assertEquals(800, selected.get(1).limit(), "a bare name takes --default-channel-limit");
  }
}
