package io.rankingcluster.offline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import io.rankingcluster.core.embed.Embeddings;
import io.rankingcluster.core.model.MultiTaskModel;
import io.rankingcluster.core.recall.ItemNeighbours;
import io.rankingcluster.core.snapshot.Snapshot;
import io.rankingcluster.core.snapshot.SnapshotStore;
import io.rankingcluster.offline.world.DemoWorld;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The exported graph's structure, read back through ONNX's protobuf classes (Tribuo's protobuf 3
 * gencode on our protobuf 4 runtime: this test is the check that they work together), and the
 * export-onnx command on a snapshot. That ONNX Runtime computes what our model computes is
 * rank-service's OnnxAgreementTest.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OnnxExporterTest {
  @TempDir Path dir;

  static MultiTaskModel model(String version) {
    int in = 18;
    int[] hidden = {4, 3};
    float[] mean = new float[in];
    float[] invStd = new float[in];
    java.util.Arrays.fill(invStd, 1f);
    float[][] w = {new float[4 * in], new float[3 * 4]};
    float[][] b = {new float[4], new float[3]};
    for (int i = 0; i < w[0].length; i++) {
      w[0][i] = (i % 7 - 3) * 0.1f;
    }
    java.util.Arrays.fill(w[1], 0.2f);
    byte[] kinds = {
      MultiTaskModel.PROBABILITY, MultiTaskModel.PROBABILITY, MultiTaskModel.LOG1P_REGRESSION
    };
    return new MultiTaskModel(
        version,
        mean,
        invStd,
        hidden,
        w,
        b,
        new float[3 * 3],
        new float[] {-2f, -1f, 3f},
        kinds,
        new float[] {1f, 1.1f, 1f},
        new float[] {0f, -0.1f, 0f});
  }

  @Test
  void export_roundTripsThroughProtobuf_withTheDocumentedContract() throws Exception {
    byte[] bytes = OnnxExporter.export(model("rank-x"), "rank-x-onnx").toByteArray();
    OnnxMl.ModelProto m = OnnxMl.ModelProto.parseFrom(bytes);
    OnnxMl.GraphProto g = m.getGraph();
    assertEquals("rank-x-onnx", g.getName());
    assertEquals(OnnxExporter.IR_VERSION, m.getIrVersion());
    assertEquals(13, m.getOpsetImport(0).getVersion());
    assertEquals("features", g.getInput(0).getName());
    assertEquals(1, g.getInputCount());
    assertEquals(List.of(-1L, 18L), dims(g.getInput(0)));
    assertEquals("heads", g.getOutput(0).getName());
    assertEquals(List.of(-1L, 3L), dims(g.getOutput(0)));
    List<String> ops =
        g.getNodeList().stream().map(OnnxMl.NodeProto::getOpType).collect(Collectors.toList());
    assertEquals(
        List.of(
            "Sub",
            "Mul",
            "Gemm",
            "Relu",
            "Gemm",
            "Relu",
            "Gemm",
            "Mul",
            "Add",
            "Sigmoid",
            "Gemm",
            "Mul",
            "Add",
            "Sigmoid",
            "Gemm",
            "Clip",
            "Exp",
            "Sub",
            "Concat",
            "Identity"),
        ops);
    Map<String, String> meta = new java.util.HashMap<>();
    m.getMetadataPropsList().forEach(e -> meta.put(e.getKey(), e.getValue()));
    assertEquals("rank-x-onnx", meta.get("version"));
    assertEquals("rank-x", meta.get("source_model_version"));
  }

  @Test
  void exportOnnxCommand_writesTheSnapshotsRankModel() throws Exception {
    DemoWorld w = DemoWorld.generate(new DemoWorld.Spec(3, 200, 20, 5));
    Snapshot s =
        new Snapshot(
            "v1",
            w.categories,
            w.catalog,
            w.users,
            Embeddings.empty(w.catalog.size()),
            Embeddings.empty(w.users.size()),
            ItemNeighbours.empty(w.catalog.size()),
            Map.of("rank", model("rank-v1").toBytes()),
            Map.of("rank", "rank-v1"),
            Map.of("generator", "OnnxExporterTest"));
    Path root = dir.resolve("root");
    SnapshotStore store = new SnapshotStore(root);
    store.write(s);
    store.publish("v1");
    Path out = dir.resolve("out/rank.onnx");
    int code =
        new CommandLine(new OfflineMain())
            .execute("export-onnx", "--snapshot", root.toString(), "--out", out.toString());
    assertEquals(0, code);
    OnnxMl.ModelProto m = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(out));
    assertEquals("rank-v1-onnx", m.getGraph().getName());

    int missing =
        new CommandLine(new OfflineMain())
            .execute(
                "export-onnx",
                "--snapshot",
                root.toString(),
                "--model",
                "rank@b",
                "--out",
                dir.resolve("b.onnx").toString());
    assertEquals(1, missing);
    assertTrue(!Files.exists(dir.resolve("b.onnx")));
  }

  static List<Long> dims(OnnxMl.ValueInfoProto v) {
    List<Long> out = new ArrayList<>();
    for (OnnxMl.TensorShapeProto.Dimension d :
        v.getType().getTensorType().getShape().getDimList()) {
      out.add(d.hasDimValue() ? d.getDimValue() : -1L);
    }
    return out;
  }
}
