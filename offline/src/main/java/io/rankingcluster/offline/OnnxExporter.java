package io.rankingcluster.offline;

import ai.onnx.proto.OnnxMl;
import io.rankingcluster.core.model.MultiTaskModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tribuo.util.onnx.ONNXAttribute;
import org.tribuo.util.onnx.ONNXContext;
import org.tribuo.util.onnx.ONNXOperator;
import org.tribuo.util.onnx.ONNXOperators;
import org.tribuo.util.onnx.ONNXPlaceholder;
import org.tribuo.util.onnx.ONNXRef;

/**
 * Writes a {@link MultiTaskModel} as an ONNX graph that computes exactly what {@link
 * MultiTaskModel#predict} computes, so ONNX Runtime (or any ONNX runtime) can serve it and check
 * our own inference:
 *
 * <pre>
 *   features [N, inputs] -> Sub mean -> Mul invStd -> (Gemm W,b transB -> Relu) per hidden layer
 *     -> per head: Gemm w_h,b_h -> [N,1]
 *          probability:       Sigmoid(Add(Mul(s, plattA), plattB))
 *          log1p regression:  Sub(Exp(Clip(s, -10, 20)), 1)
 *     -> Concat(axis 1) -> heads [N, heads]
 * </pre>
 *
 * The graph is built with Tribuo's ONNX builder (no hand-written protobuf); its input is named
 * {@value #INPUT}, its output {@value #OUTPUT}, the graph is named after the model version, and the
 * model carries the version, input and head names as metadata (docs/models-onnx.md).
 */
public final class OnnxExporter {
  public static final String INPUT = "features";
  public static final String OUTPUT = "heads";

  /**
   * ONNX IR version 8 (ONNX 1.10) with the default-domain opset 13, which every ONNX Runtime since
   * 1.10 reads.
   */
  static final long IR_VERSION = 8;

  static final String PRODUCER = "ranking-cluster offline export-onnx";

  private OnnxExporter() {}

  /**
   * The operators this graph needs that Tribuo's {@link ONNXOperators} does not define (opset 13
   * semantics).
   */
  enum ExtraOps implements ONNXOperator {
    RELU("Relu", 1, 0),
    EXP("Exp", 1, 0),
    /** Opset 13 Clip takes min and max as optional scalar inputs, not attributes. */
    CLIP("Clip", 1, 2);

    private final String name;
    private final int inputs;
    private final int optionalInputs;

    ExtraOps(String name, int inputs, int optionalInputs) {
      this.name = name;
      this.inputs = inputs;
      this.optionalInputs = optionalInputs;
    }

    @Override
    public String getOpName() {
      return name;
    }

    @Override
    public int getNumInputs() {
      return inputs;
    }

    @Override
    public int getNumOptionalInputs() {
      return optionalInputs;
    }

    @Override
    public int getNumOutputs() {
      return 1;
    }

    @Override
    public Map<String, ONNXAttribute> getAttributes() {
      return Collections.emptyMap();
    }

    @Override
    public Set<String> getMandatoryAttributeNames() {
      return Collections.emptySet();
    }

    @Override
    public int getOpVersion() {
      return ONNXOperators.getOpsetVersion();
    }

    @Override
    public String getOpDomain() {
      return null;
    }
  }

  /** The ONNX model of {@code model}, named {@code version} (graph name and metadata). */
  public static OnnxMl.ModelProto export(MultiTaskModel model, String version) {
    if (version == null || version.isBlank()) {
      throw new IllegalArgumentException(
          "ONNX export of model " + model.version() + ": the version must not be blank");
    }
    ONNXContext ctx = new ONNXContext();
    ctx.setName(version);
    ONNXPlaceholder input = ctx.floatInput(INPUT, model.inputs());
    ONNXPlaceholder output = ctx.floatOutput(OUTPUT, model.heads());

    ONNXRef<?> h =
        input
            .apply(ONNXOperators.SUB, ctx.array("mean", model.mean()))
            .apply(ONNXOperators.MUL, ctx.array("inv_std", model.invStd()));
    int width = model.inputs();
    int[] hidden = model.hidden();
    for (int l = 0; l < hidden.length; l++) {
      ONNXRef<?> w = matrix(ctx, "w" + l, hidden[l], width, model.layerWeights(l));
      ONNXRef<?> b = ctx.array("b" + l, model.layerBiases(l));
      h = gemm(ctx, h, w, b).apply(ExtraOps.RELU);
      width = hidden[l];
    }

    float[] headWeights = model.headWeights();
    float[] headBias = model.headBias();
    byte[] kinds = model.headKinds();
    float[] plattA = model.plattA();
    float[] plattB = model.plattB();
    List<ONNXRef<?>> heads = new ArrayList<>();
    for (int k = 0; k < kinds.length; k++) {
      float[] row = new float[width];
      System.arraycopy(headWeights, k * width, row, 0, width);
      ONNXRef<?> s =
          gemm(
              ctx,
              h,
              matrix(ctx, "head" + k + "_w", 1, width, row),
              ctx.array("head" + k + "_b", new float[] {headBias[k]}));
      if (kinds[k] == MultiTaskModel.PROBABILITY) {
        heads.add(
            s.apply(ONNXOperators.MUL, ctx.constant("head" + k + "_platt_a", plattA[k]))
                .apply(ONNXOperators.ADD, ctx.constant("head" + k + "_platt_b", plattB[k]))
                .apply(ONNXOperators.SIGMOID));
      } else if (kinds[k] == MultiTaskModel.LOG1P_REGRESSION) {
        // Same bounds as MultiTaskModel.predict: exp stays finite and a wild logit cannot return
        // billions.
        ONNXRef<?> clipped =
            ctx.operation(
                ExtraOps.CLIP,
                List.of(
                    s,
                    ctx.constant("head" + k + "_min", -10f),
                    ctx.constant("head" + k + "_max", 20f)),
                "clip");
        heads.add(clipped.apply(ExtraOps.EXP).apply(ONNXOperators.SUB, ctx.constant("one", 1f)));
      } else {
        throw new IllegalArgumentException(
            "ONNX export of model "
                + model.version()
                + ": head "
                + k
                + " has unknown kind "
                + kinds[k]);
      }
    }
    ctx.operation(ONNXOperators.CONCAT, heads, "concat", Map.of("axis", 1)).assignTo(output);

    OnnxMl.ModelProto.Builder m =
        OnnxMl.ModelProto.newBuilder()
            .setIrVersion(IR_VERSION)
            .setProducerName(PRODUCER)
            .setDomain("io.rankingcluster")
            .setModelVersion(1)
            .setDocString(
                "Rank model "
                    + model.version()
                    + " exported from a ranking-cluster snapshot; input '"
                    + INPUT
                    + "' float [N,"
                    + model.inputs()
                    + "] raw features, output '"
                    + OUTPUT
                    + "' float [N,"
                    + model.heads()
                    + "].")
            .addOpsetImport(ONNXOperators.getOpsetProto())
            .setGraph(ctx.buildGraph());
    m.addMetadataProps(meta("version", version));
    m.addMetadataProps(meta("source_model_version", model.version()));
    return m.build();
  }

  /**
   * Writes {@code model} to {@code file} through a temporary file in the same folder, so a reader
   * never sees half a model. Returns the bytes written.
   */
  public static long write(MultiTaskModel model, String version, Path file) throws IOException {
    byte[] bytes = export(model, version).toByteArray();
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
    try {
      Files.write(tmp, bytes);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
    return bytes.length;
  }

  private static ONNXRef<?> gemm(ONNXContext ctx, ONNXRef<?> x, ONNXRef<?> w, ONNXRef<?> b) {
    // Our weights are out x in (row-major), so Gemm multiplies by their transpose: y = x W^T + b.
    return ctx.operation(ONNXOperators.GEMM, List.of(x, w, b), "gemm", Map.of("transB", 1));
  }

  private static ONNXRef<?> matrix(
      ONNXContext ctx, String name, int rows, int cols, float[] rowMajor) {
    return ctx.floatTensor(name, List.of(rows, cols), buf -> buf.put(rowMajor));
  }

  private static OnnxMl.StringStringEntryProto meta(String key, String value) {
    return OnnxMl.StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
  }
}
