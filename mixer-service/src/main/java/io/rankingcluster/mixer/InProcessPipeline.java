package io.rankingcluster.mixer;

import io.grpc.Context;
import io.rankingcluster.common.snapshot.Versioned;
import io.rankingcluster.core.blend.PageTokenCodec;
import io.rankingcluster.core.snapshot.Snapshot;
import io.rankingcluster.proto.v1.RecommendRequest;
import io.rankingcluster.proto.v1.RecommendResponse;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The whole pipeline in one process, without gRPC: the mixer's own code ({@link MixerServiceImpl})
 * over {@link DirectStages}, which call the stage implementations directly. The same snapshot and
 * options give the same pages as the cluster; what differs is only the cost of distribution
 * (channels, serialization, the network, the fan-out's parallelism), which the benchmarks measure
 * as a ratio.
 */
public final class InProcessPipeline implements AutoCloseable {
  private static final ScheduledExecutorService DEADLINES =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "in-process-deadlines");
            t.setDaemon(true);
            return t;
          });

  private final MixerServiceImpl mixer;
  private final DirectStages stages;

  public InProcessPipeline(
      Snapshot snapshot, DirectStages stages, MixerConfig options, PageTokenCodec tokens) {
    this.stages = stages;
    this.mixer =
        new MixerServiceImpl(
            Versioned.fixed(snapshot.version(), MixerData.of(snapshot)), stages, options, tokens);
  }

  /**
   * One Recommend with a deadline of {@code deadlineMs}, as a client would set it; errors as
   * StatusRuntimeException.
   */
  public RecommendResponse recommend(RecommendRequest request, long deadlineMs) {
    Context.CancellableContext ctx =
        Context.current().withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS, DEADLINES);
    try {
      return ctx.call(() -> mixer.recommend(request));
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      ctx.cancel(null);
    }
  }

  @Override
  public void close() {
    mixer.close();
    stages.close();
  }
}
