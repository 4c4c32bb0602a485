package io.rankingcluster.mixer;

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.rankingcluster.proto.v1.GetEmbeddingsRequest;
import io.rankingcluster.proto.v1.GetEmbeddingsResponse;
import io.rankingcluster.proto.v1.PrerankRequest;
import io.rankingcluster.proto.v1.PrerankResponse;
import io.rankingcluster.proto.v1.RankRequest;
import io.rankingcluster.proto.v1.RankResponse;
import io.rankingcluster.proto.v1.RecallRequest;
import io.rankingcluster.proto.v1.RecallResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The stages called directly, in this process and on the calling thread: the same stage
 * implementations the services run, without channels, serialization or network. With it, {@link
 * MixerServiceImpl} is the in-process pipeline: the same code, so the same pages, and the cost of
 * distribution becomes a measured difference. Each call runs in a context with its budget as the
 * deadline, as a stage server would see it; recall shards run one after the other (a gRPC fan-out
 * runs them in parallel).
 */
public final class DirectStages extends Stages {
  /** A stage method: the generated service's signature, e.g. {@code recallImpl::recall}. */
  public interface Call<Q, A> {
    void call(Q request, StreamObserver<A> out);
  }

  private final List<Call<RecallRequest, RecallResponse>> recall;
  private final List<Call<GetEmbeddingsRequest, GetEmbeddingsResponse>> embeddings;
  private final Call<PrerankRequest, PrerankResponse> prerank;
  private final Call<RankRequest, RankResponse> rank;

  /** {@code recall} and {@code embeddings}: one per shard, in shard order. */
  public DirectStages(
      List<Call<RecallRequest, RecallResponse>> recall,
      List<Call<GetEmbeddingsRequest, GetEmbeddingsResponse>> embeddings,
      Call<PrerankRequest, PrerankResponse> prerank,
      Call<RankRequest, RankResponse> rank,
      MixerConfig options) {
    super(recall.size(), options);
    this.recall = List.copyOf(recall);
    this.embeddings = List.copyOf(embeddings);
    this.prerank = prerank;
    this.rank = rank;
  }

  @Override
  public ListenableFuture<RecallResponse> recall(int shard, RecallRequest request, long nanos) {
    try {
      return Futures.immediateFuture(invoke(recall.get(shard), request, nanos));
    } catch (io.grpc.StatusRuntimeException e) {
      return Futures.immediateFailedFuture(
          e); // the stage's answer; any other exception is a bug and passes
    }
  }

  @Override
  public ListenableFuture<GetEmbeddingsResponse> getEmbeddings(
      int shard, GetEmbeddingsRequest request, long nanos) {
    try {
      return Futures.immediateFuture(invoke(embeddings.get(shard), request, nanos));
    } catch (io.grpc.StatusRuntimeException e) {
      return Futures.immediateFailedFuture(e);
    }
  }

  @Override
  public PrerankResponse prerank(PrerankRequest request, long nanos) {
    return invoke(prerank, request, nanos);
  }

  @Override
  public RankResponse rank(RankRequest request, long nanos) {
    return invoke(rank, request, nanos);
  }

  /**
   * Runs one stage method under a deadline of {@code nanos}; its error, if any, is thrown as a
   * status.
   */
  private static <Q, A> A invoke(Call<Q, A> call, Q request, long nanos) {
    Context.CancellableContext ctx =
        Context.current()
            .withDeadline(Deadline.after(Math.max(1, nanos), TimeUnit.NANOSECONDS), DEADLINES);
    Context previous = ctx.attach();
    try {
      Capture<A> out = new Capture<>();
      call.call(request, out);
      if (out.error != null) {
        throw Status.fromThrowable(out.error).asRuntimeException();
      }
      if (out.value == null) {
        throw Status.INTERNAL.withDescription("stage answered nothing").asRuntimeException();
      }
      return out.value;
    } finally {
      ctx.detach(previous);
      ctx.cancel(null);
    }
  }

  private static final java.util.concurrent.ScheduledExecutorService DEADLINES =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "direct-stage-deadlines");
            t.setDaemon(true);
            return t;
          });

  private static final class Capture<A> implements StreamObserver<A> {
    A value;
    Throwable error;

    @Override
    public void onNext(A v) {
      value = v;
    }

    @Override
    public void onError(Throwable t) {
      error = t;
    }

    @Override
    public void onCompleted() {}
  }
}
