package io.rankingcluster.mixer;

import com.google.common.util.concurrent.ListenableFuture;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.rankingcluster.proto.v1.GetEmbeddingsRequest;
import io.rankingcluster.proto.v1.GetEmbeddingsResponse;
import io.rankingcluster.proto.v1.PrerankRequest;
import io.rankingcluster.proto.v1.PrerankResponse;
import io.rankingcluster.proto.v1.RankRequest;
import io.rankingcluster.proto.v1.RankResponse;
import io.rankingcluster.proto.v1.RecallRequest;
import io.rankingcluster.proto.v1.RecallResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * How the mixer reaches the stages: over gRPC ({@link Downstreams}, production) or by calling the
 * stage implementations directly in the same process ({@link DirectStages}: the in-process
 * baseline, which runs the very same mixer code without the network). Each stage and shard has its
 * {@link Guard}. Calls carry a budget in nanoseconds; a failure is a {@link
 * io.grpc.StatusRuntimeException} (blocking calls) or a failed future (recall, embeddings).
 */
public abstract class Stages implements AutoCloseable {
  final List<Guard> recallGuards = new ArrayList<>();
  final Guard prerankGuard;
  final Guard rankGuard;

  /**
   * Every guard's breaker and bulkhead, in registries so that their metrics can be exported
   * together.
   */
  final CircuitBreakerRegistry breakers = CircuitBreakerRegistry.ofDefaults();

  final BulkheadRegistry bulkheads = BulkheadRegistry.ofDefaults();

  protected Stages(int shards, MixerConfig options) {
    for (int s = 0; s < shards; s++) {
      recallGuards.add(new Guard("recall_shard_" + s, options, breakers, bulkheads));
    }
    prerankGuard = new Guard("prerank", options, breakers, bulkheads);
    rankGuard = new Guard("rank", options, breakers, bulkheads);
  }

  /** Recall shards, in shard order. */
  public final int shards() {
    return recallGuards.size();
  }

  /** Every guard: recall shards in order, then prerank and rank. */
  List<Guard> guards() {
    List<Guard> all = new ArrayList<>(recallGuards);
    all.add(prerankGuard);
    all.add(rankGuard);
    return all;
  }

  public abstract ListenableFuture<RecallResponse> recall(
      int shard, RecallRequest request, long nanos);

  public abstract ListenableFuture<GetEmbeddingsResponse> getEmbeddings(
      int shard, GetEmbeddingsRequest request, long nanos);

  public abstract PrerankResponse prerank(PrerankRequest request, long nanos);

  public abstract RankResponse rank(RankRequest request, long nanos);

  /**
   * Lets the stages record their own meters (the gRPC ones count panic routes); nothing by default.
   */
  void instrument(io.rankingcluster.common.metrics.StageMetrics metrics) {}

  @Override
  public void close() {}
}
