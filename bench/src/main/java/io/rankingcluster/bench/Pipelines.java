package io.rankingcluster.bench;

import io.grpc.Status;
import io.rankingcluster.common.snapshot.Versioned;
import io.rankingcluster.core.blend.PageTokenCodec;
import io.rankingcluster.core.score.ValueFormula;
import io.rankingcluster.core.snapshot.Snapshot;
import io.rankingcluster.mixer.DirectStages;
import io.rankingcluster.mixer.InProcessPipeline;
import io.rankingcluster.mixer.MixerConfig;
import io.rankingcluster.prerank.PrerankData;
import io.rankingcluster.prerank.PrerankServiceImpl;
import io.rankingcluster.proto.v1.GetEmbeddingsRequest;
import io.rankingcluster.proto.v1.GetEmbeddingsResponse;
import io.rankingcluster.proto.v1.RecallRequest;
import io.rankingcluster.proto.v1.RecallResponse;
import io.rankingcluster.rank.RankData;
import io.rankingcluster.rank.RankServiceImpl;
import io.rankingcluster.recall.RecallConfig;
import io.rankingcluster.recall.RecallServiceImpl;
import io.rankingcluster.recall.ShardData;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds the in-process pipeline over a snapshot: the stage implementations the services run,
 * called directly ({@link DirectStages}), under the mixer's code ({@link InProcessPipeline}).
 * Optionally with prerank or rank made to fail, so that the mixer's fallbacks give the pages of the
 * earlier stages (the stage ablation of the evaluation, through the very code that serves).
 */
public final class Pipelines {
  private Pipelines() {}

  /** Which stages answer. */
  public enum Ablation {
    FULL,
    NO_RANK,
    NO_PRERANK_NO_RANK
  }

  public static InProcessPipeline inProcess(
      Snapshot snap, int shards, MixerConfig options, Ablation ablation) {
    return inProcess(snap, shards(snap, null, shards), options, ablation);
  }

  /**
   * The recall shards of a snapshot, with the default HNSW index; cached beside {@code versionDir}
   * (the snapshot's version folder, as the recall service does) so that it is built once; null: in
   * memory only.
   */
  public static List<ShardData> shards(Snapshot snap, java.nio.file.Path versionDir, int shards) {
    List<ShardData> out = new ArrayList<>();
    for (int s = 0; s < shards; s++) {
      out.add(
          ShardData.of(snap, versionDir, s, shards, io.rankingcluster.recall.AnnConfig.defaults()));
    }
    return out;
  }

  /** As above, over shards already built (shared by several pipelines). */
  public static InProcessPipeline inProcess(
      Snapshot snap, List<ShardData> shardData, MixerConfig options, Ablation ablation) {
    List<DirectStages.Call<RecallRequest, RecallResponse>> recall = new ArrayList<>();
    List<DirectStages.Call<GetEmbeddingsRequest, GetEmbeddingsResponse>> embeddings =
        new ArrayList<>();
    RecallConfig limits = RecallConfig.defaults();
    for (ShardData shard : shardData) {
      RecallServiceImpl impl =
          new RecallServiceImpl(Versioned.fixed(snap.version(), shard), limits);
      recall.add(impl::recall);
      embeddings.add(impl::getEmbeddings);
    }
    PrerankServiceImpl prerank =
        new PrerankServiceImpl(
            Versioned.fixed(snap.version(), PrerankData.of(snap)),
            new int[] {250, 110, 40},
            2000,
            20000);
    RankServiceImpl rank =
        new RankServiceImpl(
            Versioned.fixed(snap.version(), RankData.of(snap, ValueFormula.DEFAULT)), 2000);
    DirectStages.Call<
            io.rankingcluster.proto.v1.PrerankRequest, io.rankingcluster.proto.v1.PrerankResponse>
        p =
            ablation == Ablation.NO_PRERANK_NO_RANK
                ? (req, out) -> out.onError(down("prerank"))
                : prerank::prerank;
    DirectStages.Call<
            io.rankingcluster.proto.v1.RankRequest, io.rankingcluster.proto.v1.RankResponse>
        r = ablation == Ablation.FULL ? rank::rank : (req, out) -> out.onError(down("rank"));
    byte[] key = "in-process-pipeline-key-0123456789".getBytes(StandardCharsets.US_ASCII);
    return new InProcessPipeline(
        snap,
        new DirectStages(recall, embeddings, p, r, options),
        options,
        new PageTokenCodec(Map.of(1, key), 1, 3_600_000L));
  }

  private static RuntimeException down(String stage) {
    return Status.UNAVAILABLE
        .withDescription(stage + " left out by the ablation")
        .asRuntimeException();
  }
}
