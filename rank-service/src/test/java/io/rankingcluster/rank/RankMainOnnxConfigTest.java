package io.rankingcluster.rank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import io.rankingcluster.common.server.ServiceMain;
import io.rankingcluster.offline.OnnxExporter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bad --onnx-model stops the start with exit code 2 and a message naming the file and the
 * problem.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RankMainOnnxConfigTest {
  @TempDir Path dir;

  static String refused(Map<String, String> env, String... args) {
    StringWriter err = new StringWriter();
    int code = ServiceMain.execute("RANK", new RankMain(), args, env, new PrintWriter(err, true));
    assertEquals(ServiceMain.EXIT_CONFIG, code, err.toString());
    return err.toString();
  }

  @Test
  void onnxModel_notAnOnnxFile_refusedNamingTheFile() throws Exception {
    Path file = dir.resolve("model.onnx");
    Files.writeString(file, "this is a text file, not a protobuf-encoded ONNX model\n");
    String err = refused(Map.of(), "--onnx-model=" + file);
    assertTrue(
        err.contains("--onnx-model")
            && err.contains(file.toString())
            && err.contains("not a loadable ONNX model"),
        err);
  }

  @Test
  void onnxModel_wrongInputWidth_refusedNamingTheShape() throws Exception {
    Path file = dir.resolve("prerank-shaped.onnx");
    OnnxExporter.write(TestRankModels.random("small", 1, 12, new int[] {8}), "small-onnx", file);
    String err = refused(Map.of(), "--onnx-model=" + file);
    assertTrue(
        err.contains(file.toString())
            && err.contains("'features' must have shape [N,18], has [-1, 12]"),
        err);
  }

  @Test
  void onnxModel_fixedBatchSize_refused() throws Exception {
    OnnxMl.ModelProto.Builder m =
        OnnxExporter.export(TestRankModels.random("fixed", 1), "fixed-onnx").toBuilder();
    m.getGraphBuilder()
        .getInputBuilder(0)
        .getTypeBuilder()
        .getTensorTypeBuilder()
        .getShapeBuilder()
        .getDimBuilder(0)
        .clearDimParam()
        .setDimValue(1);
    Path file = dir.resolve("fixed.onnx");
    Files.write(file, m.build().toByteArray());
    String err = refused(Map.of(), "--onnx-model=" + file);
    assertTrue(
        err.contains(file.toString()) && err.contains("must have a dynamic batch dimension"), err);
  }

  @Test
  void onnxModel_missingFile_refused() {
    Path file = dir.resolve("nowhere.onnx");
    String err = refused(Map.of(), "--onnx-model=" + file);
    assertTrue(err.contains(file.toString()) && err.contains("cannot read"), err);
  }

  @Test
  void onnxModel_fromEnvironment_checkedTheSameWay() throws Exception {
    Path file = dir.resolve("empty.onnx");
    Files.write(file, new byte[0]);
    String err = refused(Map.of("RANK_ONNX_MODEL", file.toString()));
    assertTrue(err.contains(file.toString()), err);
  }

  @Test
  void onnxDefault_withoutModel_refused() {
    assertTrue(refused(Map.of(), "--onnx-default").contains("--onnx-default"));
  }
}
