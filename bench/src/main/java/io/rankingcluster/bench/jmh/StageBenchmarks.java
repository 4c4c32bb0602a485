package io.rankingcluster.bench.jmh;

import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.stub.StreamObserver;
import io.rankingcluster.common.snapshot.Versioned;
import io.rankingcluster.core.blend.BlendConfig;
import io.rankingcluster.core.blend.Blender;
import io.rankingcluster.core.embed.Embeddings;
import io.rankingcluster.core.score.ValueFormula;
import io.rankingcluster.core.snapshot.Snapshot;
import io.rankingcluster.core.snapshot.SnapshotReader;
import io.rankingcluster.prerank.PrerankData;
import io.rankingcluster.prerank.PrerankServiceImpl;
import io.rankingcluster.proto.v1.CandidateBlock;
import io.rankingcluster.proto.v1.ItemKind;
import io.rankingcluster.proto.v1.KindLimit;
import io.rankingcluster.proto.v1.PrerankRequest;
import io.rankingcluster.proto.v1.PrerankResponse;
import io.rankingcluster.proto.v1.RankRequest;
import io.rankingcluster.proto.v1.RankResponse;
import io.rankingcluster.proto.v1.RecallRequest;
import io.rankingcluster.proto.v1.RecallResponse;
import io.rankingcluster.proto.v1.RequestContext;
import io.rankingcluster.proto.v1.UserFeatures;
import io.rankingcluster.rank.RankData;
import io.rankingcluster.rank.RankServiceImpl;
import io.rankingcluster.recall.AnnConfig;
import io.rankingcluster.recall.RecallConfig;
import io.rankingcluster.recall.RecallServiceImpl;
import io.rankingcluster.recall.ShardData;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The hot paths of one Recommend on a real snapshot, each on its own, as the services run them (the
 * stage implementations called directly, protobuf in and out, no network): recall of one shard (all
 * channels, ANN through the cached HNSW index), the ANN and item-to-item channels alone, prerank of
 * 2,000 candidates, rank of 200, blending 200 into a page of 20 with MMR, and encoding and decoding
 * a 2,000-candidate block. The funnel: 2,000 -> 400 -> 200 -> 20. Run from the repository root
 * after `./cluster start` once (which builds the snapshot and its index).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgs = {"-Xmx6g"})
public class StageBenchmarks {
  @Param(".cluster/snapshots/demo-s42-i200000-u50000")
  String snapshotRoot;

  RecallServiceImpl recall;
  PrerankServiceImpl prerank;
  RankServiceImpl rank;
  RecallRequest recallRequest;
  RecallRequest annOnlyRequest;
  RecallRequest itemToItemOnlyRequest;
  PrerankRequest prerankRequest;
  RankRequest rankRequest;
  CandidateBlock block2000;
  byte[] block2000Bytes;
  byte[] rankedKinds;
  long[] rankedSellers;
  Blender blender;
  Blender.Diversity diversity;

  /**
   * The requests of {@link #USERS} users spread over the world's users, each with its own recall
   * answer: the stages' work when consecutive requests touch different rows, as they do under load
   * (one request repeated keeps its rows in cache and its branches learnt).
   */
  static final int USERS = 64;

  RecallRequest[] recallRequests;
  PrerankRequest[] prerankRequests;
  RankRequest[] rankRequests;
  int next;

  /** Captures a stage's answer. */
  static final class Out<A> implements StreamObserver<A> {
    A value;

    @Override
    public void onNext(A v) {
      value = v;
    }

    @Override
    public void onError(Throwable t) {
      throw new IllegalStateException(t);
    }

    @Override
    public void onCompleted() {}
  }

  @Setup
  public void setup() throws Exception {
    Path root = Path.of(snapshotRoot);
    Snapshot s = SnapshotReader.readCurrent(root);
    ShardData shard = ShardData.of(s, root.resolve(s.version()), 0, 1, AnnConfig.defaults());
    recall = new RecallServiceImpl(Versioned.fixed(s.version(), shard), RecallConfig.defaults());
    prerank =
        new PrerankServiceImpl(
            Versioned.fixed(s.version(), PrerankData.of(s)), new int[] {250, 110, 40}, 2000, 20000);
    rank =
        new RankServiceImpl(
            Versioned.fixed(s.version(), RankData.of(s, ValueFormula.DEFAULT)), 2000);
    int user = s.users().rowOf("42");
    Embeddings uv = s.userVectors();
    UserFeatures.Builder f = UserFeatures.newBuilder();
    for (int k = 0; k < uv.dimension(); k++) {
      f.addUserVector(uv.data()[uv.offset(user) + k]);
    }
    for (long id : s.users().recentItems(user)) {
      f.addRecentItemIds(id);
    }
    RequestContext ctx =
        RequestContext.newBuilder().setUserId("42").setClientTimeMs(1_767_225_600_000L).build();
    recallRequest =
        RecallRequest.newBuilder()
            .setContext(ctx)
            .setUser(f)
            .addKindLimits(
                KindLimit.newBuilder().setKind(ItemKind.ITEM_KIND_PRODUCT).setLimit(1200))
            .addKindLimits(KindLimit.newBuilder().setKind(ItemKind.ITEM_KIND_VIDEO).setLimit(600))
            .addKindLimits(
                KindLimit.newBuilder().setKind(ItemKind.ITEM_KIND_LIVE_STREAM).setLimit(200))
            .build();
    annOnlyRequest =
        onlyChannel(
            recallRequest, io.rankingcluster.proto.v1.RecallChannel.RECALL_CHANNEL_ANN, 300);
    itemToItemOnlyRequest =
        onlyChannel(
            recallRequest,
            io.rankingcluster.proto.v1.RecallChannel.RECALL_CHANNEL_ITEM_TO_ITEM,
            800);
    block2000 = recall().getCandidates();
    block2000Bytes = block2000.toByteArray();
    prerankRequest =
        PrerankRequest.newBuilder().setContext(ctx).setUser(f).setCandidates(block2000).build();
    CandidateBlock kept = prerank().getCandidates();
    CandidateBlock.Builder top = CandidateBlock.newBuilder();
    for (int i = 0; i < Math.min(200, kept.getItemIdsCount()); i++) {
      top.addItemIds(kept.getItemIds(i))
          .addKindsValue(kept.getKindsValue(i))
          .addScores(kept.getScores(i));
    }
    rankRequest = RankRequest.newBuilder().setContext(ctx).setUser(f).setCandidates(top).build();
    RankResponse ranked = rank();
    int n = ranked.getItemIdsCount();
    rankedKinds = new byte[n];
    rankedSellers = new long[n];
    float[] values = new float[n];
    Embeddings items = s.itemEmbeddings();
    int d = items.dimension();
    float[] unit = new float[n * d];
    for (int i = 0; i < n; i++) {
      int row = s.catalog().index.rowOf(ranked.getItemIds(i));
      rankedKinds[i] = (byte) ranked.getKindsValue(i);
      rankedSellers[i] = s.catalog().sellers[row];
      values[i] = ranked.getValues(i);
      double norm = 0;
      for (int k = 0; k < d; k++) {
        norm += items.data()[items.offset(row) + k] * items.data()[items.offset(row) + k];
      }
      for (int k = 0; k < d; k++) {
        unit[i * d + k] =
            (float) (items.data()[items.offset(row) + k] / Math.max(1e-9, Math.sqrt(norm)));
      }
    }
    recallRequests = new RecallRequest[USERS];
    prerankRequests = new PrerankRequest[USERS];
    rankRequests = new RankRequest[USERS];
    int stride = Math.max(1, s.users().size() / USERS);
    for (int i = 0; i < USERS; i++) {
      int row = (i * stride) % s.users().size();
      UserFeatures.Builder uf = UserFeatures.newBuilder();
      for (int k = 0; k < uv.dimension(); k++) {
        uf.addUserVector(uv.data()[uv.offset(row) + k]);
      }
      for (long id : s.users().recentItems(row)) {
        uf.addRecentItemIds(id);
      }
      RequestContext c =
          ctx.toBuilder()
              .setUserId(s.users().userId(row))
              .setClientTimeMs(1_767_225_600_000L + i * 1_350_000L) // spread over a day
              .build();
      recallRequests[i] = recallRequest.toBuilder().setContext(c).setUser(uf).build();
      Out<RecallResponse> r = new Out<>();
      recall.recall(recallRequests[i], r);
      prerankRequests[i] =
          PrerankRequest.newBuilder()
              .setContext(c)
              .setUser(uf)
              .setCandidates(r.value.getCandidates())
              .build();
      Out<PrerankResponse> pr = new Out<>();
      prerank.prerank(prerankRequests[i], pr);
      CandidateBlock k = pr.value.getCandidates();
      CandidateBlock.Builder t = CandidateBlock.newBuilder();
      for (int j = 0; j < Math.min(200, k.getItemIdsCount()); j++) {
        t.addItemIds(k.getItemIds(j)).addKindsValue(k.getKindsValue(j)).addScores(k.getScores(j));
      }
      rankRequests[i] = RankRequest.newBuilder().setContext(c).setUser(uf).setCandidates(t).build();
    }
    blender = new Blender(BlendConfig.DEFAULT);
    diversity = new Blender.Diversity(values, unit, d, 0.8f);
    System.out.printf(
        "%nfunnel: recall %d -> prerank %d -> rank %d -> page 20%n",
        block2000.getItemIdsCount(), kept.getItemIdsCount(), n);
  }

  /**
   * The request with every channel off but {@code keep}, at {@code limit}: one channel through the
   * real service path.
   */
  static RecallRequest onlyChannel(
      RecallRequest r, io.rankingcluster.proto.v1.RecallChannel keep, int limit) {
    RecallRequest.Builder b = r.toBuilder().clearChannelLimits();
    for (io.rankingcluster.proto.v1.RecallChannel c :
        io.rankingcluster.proto.v1.RecallChannel.values()) {
      if (c != io.rankingcluster.proto.v1.RecallChannel.RECALL_CHANNEL_UNSPECIFIED
          && c != io.rankingcluster.proto.v1.RecallChannel.UNRECOGNIZED) {
        b.addChannelLimits(
            io.rankingcluster.proto.v1.ChannelLimit.newBuilder()
                .setChannel(c)
                .setLimit(c == keep ? limit : 0));
      }
    }
    return b.build();
  }

  @TearDown
  public void close() {
    recall.close();
  }

  @Benchmark
  public RecallResponse recall() {
    Out<RecallResponse> out = new Out<>();
    recall.recall(recallRequest, out);
    return out.value;
  }

  /**
   * The ANN channel alone (HNSW over the norm tiers, 300 candidates, the request's filter), with
   * its merge and encoding.
   */
  @Benchmark
  public RecallResponse annChannel() {
    Out<RecallResponse> out = new Out<>();
    recall.recall(annOnlyRequest, out);
    return out.value;
  }

  /** The item-to-item channel alone (neighbours of the user's recent items, up to 800). */
  @Benchmark
  public RecallResponse itemToItemChannel() {
    Out<RecallResponse> out = new Out<>();
    recall.recall(itemToItemOnlyRequest, out);
    return out.value;
  }

  @Benchmark
  public PrerankResponse prerank() {
    Out<PrerankResponse> out = new Out<>();
    prerank.prerank(prerankRequest, out);
    return out.value;
  }

  @Benchmark
  public RankResponse rank() {
    Out<RankResponse> out = new Out<>();
    rank.rank(rankRequest, out);
    return out.value;
  }

  /** Recall of one shard for the next of {@link #USERS} users (their times spread over a day). */
  @Benchmark
  public RecallResponse recallManyUsers() {
    Out<RecallResponse> out = new Out<>();
    recall.recall(recallRequests[next++ & (USERS - 1)], out);
    return out.value;
  }

  /** Prerank of the next user's own recall answer (about 2,000 candidates). */
  @Benchmark
  public PrerankResponse prerankManyUsers() {
    Out<PrerankResponse> out = new Out<>();
    prerank.prerank(prerankRequests[next++ & (USERS - 1)], out);
    return out.value;
  }

  /** Rank of the next user's top 200 of prerank. */
  @Benchmark
  public RankResponse rankManyUsers() {
    Out<RankResponse> out = new Out<>();
    rank.rank(rankRequests[next++ & (USERS - 1)], out);
    return out.value;
  }

  @Benchmark
  public Blender.Placement[] blendWithMmr() {
    return blender.blend(
        rankedKinds,
        rankedSellers,
        rankedKinds.length,
        20,
        new boolean[] {true, true, true},
        diversity);
  }

  @Benchmark
  public byte[] encodeBlock2000() {
    return block2000.toByteArray();
  }

  @Benchmark
  public CandidateBlock decodeBlock2000() throws InvalidProtocolBufferException {
    return CandidateBlock.parseFrom(block2000Bytes);
  }
}
