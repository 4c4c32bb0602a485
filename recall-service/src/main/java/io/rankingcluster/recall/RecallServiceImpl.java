package io.rankingcluster.recall;

import static io.rankingcluster.common.mapping.Statuses.invalid;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.rankingcluster.common.mapping.ProtoMapping;
import io.rankingcluster.core.ShardFunction;
import io.rankingcluster.core.catalog.Catalog;
import io.rankingcluster.core.recall.Candidates;
import io.rankingcluster.core.recall.Channel;
import io.rankingcluster.core.recall.RecallEngine;
import io.rankingcluster.core.recall.RecallQuery;
import io.rankingcluster.core.user.UserProfiles;
import io.rankingcluster.core.catalog.CategoryTree;
import io.rankingcluster.core.score.UserSignals;
import io.rankingcluster.proto.v1.ChannelLimit;
import io.rankingcluster.proto.v1.ChannelStats;
import io.rankingcluster.proto.v1.GetEmbeddingsRequest;
import io.rankingcluster.proto.v1.GetEmbeddingsResponse;
import io.rankingcluster.proto.v1.RecallChannel;
import io.rankingcluster.proto.v1.RecallRequest;
import io.rankingcluster.proto.v1.RecallResponse;
import io.rankingcluster.proto.v1.RecallServiceGrpc;
import io.rankingcluster.proto.v1.ShardInfo;

/**
 * The Recall rpc over one shard: validates the request, runs the shard's channels through core's
 * {@link RecallEngine}, and answers with packed candidates and per-channel statistics.
 */
public final class RecallServiceImpl extends RecallServiceGrpc.RecallServiceImplBase {
  private final RecallEngine engine;
  private final int shardIndex;
  private final int shardCount;
  private final String snapshotVersion;
  private final RecallLimits limits;

  public RecallServiceImpl(Catalog shardCatalog, int shardIndex, int shardCount, String snapshotVersion,
      RecallLimits limits) {
    this.engine = RecallEngine.standard(shardCatalog);
    this.shardIndex = shardIndex;
    this.shardCount = shardCount;
    this.snapshotVersion = snapshotVersion;
    this.limits = limits;
  }

  /** The items of shard {@code index} of {@code count}. */
  public static Catalog shardOf(Catalog all, int index, int count) {
    return all.filter(row -> ShardFunction.shardOf(all.ids[row], count) == index);
  }

  @Override
  public void recall(RecallRequest request, StreamObserver<RecallResponse> out) {
    RecallQuery query = query(request);
    int[] channelLimits = channelLimits(request);
    RecallEngine.Result result = engine.recall(query, channelLimits);
    RecallResponse.Builder resp = RecallResponse.newBuilder()
        .setCandidates(ProtoMapping.block(result.candidates()))
        .setShard(ShardInfo.newBuilder().setIndex(shardIndex).setCount(shardCount))
        .setSnapshotVersion(snapshotVersion);
    for (RecallEngine.ChannelReport r : result.channels()) {
      resp.addChannelStats(ChannelStats.newBuilder().setChannelValue(r.channel().number())
          .setCandidates(r.candidates()).setLatencyMs(r.latencyMs()).setFailure(r.failure()));
    }
    out.onNext(resp.build());
    out.onCompleted();
  }

  @Override
  public void getEmbeddings(GetEmbeddingsRequest request, StreamObserver<GetEmbeddingsResponse> out) {
    // The demo world carries no trained embeddings yet; they arrive with the offline snapshot.
    out.onError(Status.UNIMPLEMENTED
        .withDescription("GetEmbeddings: this snapshot (" + snapshotVersion + ") has no item embeddings").asRuntimeException());
  }

  RecallQuery query(RecallRequest request) {
    UserSignals user = ProtoMapping.user(request.getUser(), "user", CategoryTree.demo(), UserProfiles.MAX_RECENT);
    if (request.getExcludeItemIdsCount() > limits.maxExcludeIds) {
      throw invalid("exclude_item_ids", "at most " + limits.maxExcludeIds + " ids, got " + request.getExcludeItemIdsCount());
    }
    int[] kindLimits = ProtoMapping.kindLimits(request.getKindLimitsList(), "kind_limits", limits.defaultKindLimits(),
        limits.maxLimit);
    Catalog catalog = engine.catalog();
    long[] exclude = new long[request.getExcludeItemIdsCount()];
    for (int i = 0; i < exclude.length; i++) {
      exclude[i] = request.getExcludeItemIds(i);
    }
    return new RecallQuery(catalog, user.recentItemIds, user.affinities,
        ProtoMapping.country(request.getContext(), "context"), ProtoMapping.clientTimeMs(request.getContext(), "context"),
        exclude, kindLimits);
  }

  int[] channelLimits(RecallRequest request) {
    int[] out = new int[Channel.values().length + 1];
    for (Channel c : Channel.values()) {
      out[c.number()] = limits.defaultChannel;
    }
    boolean[] seen = new boolean[out.length];
    for (int i = 0; i < request.getChannelLimitsCount(); i++) {
      ChannelLimit l = request.getChannelLimits(i);
      String f = "channel_limits[" + i + "]";
      Channel c = Channel.ofNumber(l.getChannelValue());
      if (c == null || l.getChannel() == RecallChannel.RECALL_CHANNEL_UNSPECIFIED) {
        throw invalid(f + ".channel", "unknown or unspecified channel " + l.getChannelValue());
      }
      if (seen[c.number()]) {
        throw invalid(f + ".channel", "channel " + c.label() + " listed twice");
      }
      seen[c.number()] = true;
      if (Integer.toUnsignedLong(l.getLimit()) > limits.maxLimit) {
        throw invalid(f + ".limit", "must be <= " + limits.maxLimit + ", was " + Integer.toUnsignedString(l.getLimit()));
      }
      if (l.getLimit() > 0) {
        out[c.number()] = l.getLimit();
      }
    }
    return out;
  }

  /** Runs {@code n} recalls for the first users' profiles: the warm-up before SERVING. */
  void warmUp(UserProfiles users, int n) {
    Catalog catalog = engine.catalog();
    int[] channelLimits = channelLimits(RecallRequest.getDefaultInstance());
    for (int i = 0; i < n; i++) {
      int u = i % Math.max(1, users.size());
      long[] recent = users.size() == 0 ? new long[0] : users.recentItems(u);
      RecallQuery q = new RecallQuery(catalog, recent, UserProfiles.affinities(recent, catalog),
          users.size() == 0 ? -1 : users.country(u), System.currentTimeMillis(), new long[0], limits.defaultKindLimits());
      Candidates c = engine.recall(q, channelLimits).candidates();
      if (c.size < 0) {
        throw new IllegalStateException("unreachable");
      }
    }
  }
}
