package io.rankingcluster.mixer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.rankingcluster.core.blend.PageTokenCodec;
import io.rankingcluster.proto.v1.FeedItem;
import io.rankingcluster.proto.v1.RecommendRequest;
import io.rankingcluster.proto.v1.RecommendResponse;
import io.rankingcluster.proto.v1.RequestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The in-process pipeline (stages called directly) and the gRPC cluster serve the same pages. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class InProcessPipelineTest {
  private static List<String> page(RecommendResponse r) {
    List<String> out = new ArrayList<>();
    for (FeedItem it : r.getItemsList()) {
      out.add(it.getItemId() + "/" + it.getPlacementRule() + "/" + it.getValue());
    }
    return out;
  }

  @Test
  void recall_answersNoCandidates_emptyPageNotDegraded_andPrerankRankNotAsked() throws Exception {
    var snap = TestCluster.SNAPSHOT;
    MixerConfig options = MixerConfig.defaults();
    java.util.concurrent.atomic.AtomicInteger stageCalls =
        new java.util.concurrent.atomic.AtomicInteger();
    DirectStages.Call<
            io.rankingcluster.proto.v1.RecallRequest, io.rankingcluster.proto.v1.RecallResponse>
        empty =
            (req, out) -> {
              out.onNext(
                  io.rankingcluster.proto.v1.RecallResponse.newBuilder()
                      .setSnapshotVersion(snap.version())
                      .build());
              out.onCompleted();
            };
    DirectStages.Call<
            io.rankingcluster.proto.v1.GetEmbeddingsRequest,
            io.rankingcluster.proto.v1.GetEmbeddingsResponse>
        none =
            (req, out) -> {
              out.onNext(
                  io.rankingcluster.proto.v1.GetEmbeddingsResponse.newBuilder()
                      .setSnapshotVersion(snap.version())
                      .build());
              out.onCompleted();
            };
    try (InProcessPipeline p =
        new InProcessPipeline(
            snap,
            new DirectStages(
                List.of(empty),
                List.of(none),
                (req, out) -> {
                  stageCalls.incrementAndGet();
                  out.onError(
                      io.grpc.Status.INVALID_ARGUMENT
                          .withDescription("no candidates to prerank")
                          .asRuntimeException());
                },
                (req, out) -> {
                  stageCalls.incrementAndGet();
                  out.onError(
                      io.grpc.Status.INVALID_ARGUMENT
                          .withDescription("no candidates to rank")
                          .asRuntimeException());
                },
                options),
            options,
            new PageTokenCodec(Map.of(1, TestCluster.KEY), 1, 3_600_000L))) {
      RecommendResponse r =
          p.recommend(
              RecommendRequest.newBuilder()
                  .setContext(io.rankingcluster.proto.v1.RequestContext.newBuilder().setUserId("7"))
                  .build(),
              5_000);
      assertEquals(0, r.getItemsCount());
      assertFalse(
          r.getDegraded(), () -> "nothing to rank is not a failure: " + r.getDegradedReasonsList());
      assertEquals(0, stageCalls.get(), "prerank and rank are not asked to score nothing");
    }
  }

  @Test
  void inProcessPipeline_andGrpcCluster_serveTheSamePages() throws Exception {
    try (TestCluster cluster = new TestCluster(false, 2);
        InProcessPipeline direct = TestCluster.inProcess(2, cluster.mixerOptions)) {
      int compared = 0;
      for (String user : new String[] {"1", "7", "13", "42", "99", "250", "someone-new"}) {
        RecommendRequest first =
            RecommendRequest.newBuilder()
                .setContext(
                    RequestContext.newBuilder().setUserId(user).setClientTimeMs(1_700_000_000_000L))
                .build();
        RecommendResponse viaGrpc =
            cluster.mixerStub().withDeadlineAfter(10, TimeUnit.SECONDS).recommend(first);
        RecommendResponse inProcess = direct.recommend(first, 10_000);
        assertFalse(viaGrpc.getDegraded() || inProcess.getDegraded(), "both undegraded");
        assertEquals(page(viaGrpc), page(inProcess), "user " + user + " page 1");
        // Page 2 from each path's own token.
        RecommendResponse grpc2 =
            cluster
                .mixerStub()
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .recommend(first.toBuilder().setPageToken(viaGrpc.getNextPageToken()).build());
        RecommendResponse direct2 =
            direct.recommend(
                first.toBuilder().setPageToken(inProcess.getNextPageToken()).build(), 10_000);
        assertEquals(page(grpc2), page(direct2), "user " + user + " page 2");
        compared += 2;
      }
      assertEquals(14, compared);
    }
  }
}
