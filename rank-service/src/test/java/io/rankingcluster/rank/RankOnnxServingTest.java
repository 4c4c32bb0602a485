package io.rankingcluster.rank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.rankingcluster.common.server.ManagedServer;
import io.rankingcluster.common.server.ServerConfig;
import io.rankingcluster.common.snapshot.TinySnapshots;
import io.rankingcluster.common.snapshot.Versioned;
import io.rankingcluster.core.model.MultiTaskModel;
import io.rankingcluster.core.model.RankFeatures;
import io.rankingcluster.core.score.ValueFormula;
import io.rankingcluster.core.snapshot.Snapshot;
import io.rankingcluster.offline.OnnxExporter;
import io.rankingcluster.proto.v1.CandidateBlock;
import io.rankingcluster.proto.v1.RankRequest;
import io.rankingcluster.proto.v1.RankResponse;
import io.rankingcluster.proto.v1.RankServiceGrpc;
import io.rankingcluster.proto.v1.RequestContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rank service serves an ONNX model as one more model version over gRPC (in-process, the
 * production server lifecycle): selected by context.model_versions["rank"], named in model_version,
 * scoring as the built-in model it was exported from.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RankOnnxServingTest {
  static final String BUILT_IN = "rank-tiny";
  static final String ONNX = "rank-tiny-onnx";
  @TempDir static Path dir;
  static Snapshot snapshot;
  static OnnxHeadModel onnx;
  static ManagedServer server;
  static ManagedChannel channel;
  static final String NAME = "rank-onnx-" + System.nanoTime();

  @BeforeAll
  static void start() throws Exception {
    MultiTaskModel model = TestRankModels.random(BUILT_IN, 3);
    Snapshot tiny = TinySnapshots.named("tiny-v1");
    snapshot =
        new Snapshot(
            tiny.version(),
            tiny.categories(),
            tiny.catalog(),
            tiny.users(),
            tiny.itemEmbeddings(),
            tiny.userVectors(),
            tiny.itemNeighbours(),
            Map.of("rank", model.toBytes()),
            Map.of("rank", BUILT_IN),
            tiny.provenance());
    Path file = dir.resolve("rank.onnx");
    OnnxExporter.write(model, ONNX, file);
    onnx = OnnxHeadModel.load(file, null, RankFeatures.COUNT, 3);
    Versioned<RankData> data =
        new Versioned<>(
            snapshot.version(),
            RankData.of(snapshot, ValueFormula.DEFAULT, List.of(onnx), null),
            Duration.ofMinutes(1));
    RankServiceImpl impl = new RankServiceImpl(data, 2000);
    server =
        new ManagedServer(
            "rank", InProcessServerBuilder.forName(NAME), ServerConfig.defaults(), List.of(impl));
    // The warm-up calls every model (the ONNX one too) once, over the warm-up port.
    server.start(
        () ->
            server.warmUpCalls(
                io.rankingcluster.proto.v1.RankServiceGrpc.getRankMethod(),
                impl.warmUpCalls(3),
                i -> impl.warmUpRequest(snapshot.users(), snapshot.userVectors(), i)));
    channel = InProcessChannelBuilder.forName(NAME).build();
  }

  @AfterAll
  static void stop() throws Exception {
    channel.shutdownNow();
    server.stop();
    onnx.close();
  }

  static RankResponse rank(String modelVersion) {
    CandidateBlock.Builder c = CandidateBlock.newBuilder();
    for (int row = 0; row < 200; row++) {
      c.addItemIds(snapshot.catalog().ids[row])
          .addKindsValue(snapshot.catalog().kinds[row])
          .addScores(0.5f);
    }
    RequestContext.Builder ctx = RequestContext.newBuilder().setUserId("3");
    if (modelVersion != null) {
      ctx.putModelVersions("rank", modelVersion);
    }
    return RankServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .rank(RankRequest.newBuilder().setContext(ctx).setCandidates(c).build());
  }

  @Test
  void rank_onnxVersionRequested_servedByOnnxAndNamedInModelVersion() {
    RankResponse viaOnnx = rank(ONNX);
    RankResponse builtIn = rank(BUILT_IN);
    assertEquals(ONNX, viaOnnx.getModelVersion());
    assertEquals(BUILT_IN, builtIn.getModelVersion());
    assertEquals(200, viaOnnx.getItemIdsCount());
    Map<Long, float[]> expected = new HashMap<>();
    for (int i = 0; i < builtIn.getItemIdsCount(); i++) {
      expected.put(
          builtIn.getItemIds(i),
          new float[] {builtIn.getPClick(i), builtIn.getPConvert(i), builtIn.getWatchSeconds(i)});
    }
    for (int i = 0; i < viaOnnx.getItemIdsCount(); i++) {
      float[] e = expected.get(viaOnnx.getItemIds(i));
      assertEquals(e[0], viaOnnx.getPClick(i), 1e-4, "p_click of item " + viaOnnx.getItemIds(i));
      assertEquals(
          e[1], viaOnnx.getPConvert(i), 1e-4, "p_convert of item " + viaOnnx.getItemIds(i));
      assertEquals(
          e[2],
          viaOnnx.getWatchSeconds(i),
          1e-4 * Math.max(1, e[2]),
          "watch_seconds of item " + viaOnnx.getItemIds(i));
    }
  }

  @Test
  void rank_noVersionRequested_servedByTheSnapshotModel() {
    assertEquals(BUILT_IN, rank(null).getModelVersion());
  }

  @Test
  void rank_unknownVersion_notFoundListsTheOnnxVersion() {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> rank("rank-nope"));
    assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains(ONNX), e.getStatus().getDescription());
  }

  @Test
  void rankData_onnxAsDefault_servesCallsThatAskForNoVersion() {
    RankData d = RankData.of(snapshot, ValueFormula.DEFAULT, List.of(onnx), ONNX);
    assertEquals(ONNX, d.scorer().modelVersion());
    assertEquals(2, d.byModelVersion().size());
  }

  @Test
  void rankData_onnxVersionAlreadyInTheSnapshot_isRefusedNamingIt() throws Exception {
    try (OnnxHeadModel clash =
        OnnxHeadModel.load(dir.resolve("rank.onnx"), BUILT_IN, RankFeatures.COUNT, 3)) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> RankData.of(snapshot, ValueFormula.DEFAULT, List.of(clash), null));
      assertTrue(
          e.getMessage().contains("'" + BUILT_IN + "'")
              && e.getMessage().contains("--onnx-model-version"),
          e.getMessage());
    }
  }
}
