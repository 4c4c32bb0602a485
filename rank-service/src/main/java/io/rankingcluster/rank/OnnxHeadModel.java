package io.rankingcluster.rank;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.rankingcluster.core.model.HeadModel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * A rank model given as an ONNX file, run by ONNX Runtime behind the {@link HeadModel} contract
 * (documented for exporters in docs/models-onnx.md): one input {@value #INPUT}, float [N, inputs]
 * of raw features, and one output {@value #OUTPUT}, float [N, heads], with N dynamic.
 *
 * <p>{@link #load} checks that contract at start and throws naming the file and what is wrong.
 * {@link #predict} is safe from many threads ({@code OrtSession.run} is): each thread keeps a pair
 * of direct buffers that the input and output tensors wrap without copying, grown as batches grow,
 * so a call allocates a few small objects per batch and nothing per candidate.
 */
public final class OnnxHeadModel implements HeadModel, AutoCloseable {
  public static final String INPUT = "features";
  public static final String OUTPUT = "heads";

  /** The metadata key an exporter may set to name the version (else the graph name is used). */
  public static final String VERSION_KEY = "version";

  private final OrtEnvironment env;
  private final OrtSession session;
  private final String version;
  private final int inputs;
  private final int heads;
  private final ThreadLocal<Buffers> buffers = ThreadLocal.withInitial(Buffers::new);

  private OnnxHeadModel(
      OrtEnvironment env, OrtSession session, String version, int inputs, int heads) {
    this.env = env;
    this.session = session;
    this.version = version;
    this.inputs = inputs;
    this.heads = heads;
  }

  /**
   * Loads {@code file} and checks it against the contract.
   *
   * @param version the version to serve it under; null or blank: the model's metadata "version",
   *     else its graph name
   * @param inputs the feature columns the stage computes
   * @param heads the head columns the stage reads
   * @throws IllegalArgumentException naming the file and the problem (unreadable, not ONNX, wrong
   *     input or output name, type or shape, no version)
   */
  public static OnnxHeadModel load(Path file, String version, int inputs, int heads) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IllegalArgumentException("ONNX model " + file + ": cannot read it (" + e + ")");
    }
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    OrtSession session;
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      // One thread per run: the service already runs one call per request thread, and ONNX
      // Runtime's own
      // pools would compete with them for the same cores (a 200-row batch of a small MLP gains
      // nothing).
      options.setIntraOpNumThreads(1);
      options.setInterOpNumThreads(1);
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      session = env.createSession(bytes, options);
    } catch (OrtException e) {
      throw new IllegalArgumentException(
          "ONNX model " + file + ": not a loadable ONNX model (" + firstLine(e.getMessage()) + ")");
    }
    try {
      checkTensor(file, "input", session.getInputInfo(), INPUT, inputs);
      checkTensor(file, "output", session.getOutputInfo(), OUTPUT, heads);
      String v = version;
      if (v == null || v.isBlank()) {
        var meta = session.getMetadata();
        v = meta.getCustomMetadataValue(VERSION_KEY).orElse(meta.getGraphName());
      }
      if (v == null || v.isBlank()) {
        throw new IllegalArgumentException(
            "ONNX model "
                + file
                + ": names no version (no metadata '"
                + VERSION_KEY
                + "' and no graph name); give one with --onnx-model-version");
      }
      OnnxHeadModel model = new OnnxHeadModel(env, session, v.strip(), inputs, heads);
      model.predict(
          new float[inputs],
          1,
          new float[heads]); // a model that loads but cannot run fails here, at start
      return model;
    } catch (OrtException | RuntimeException e) {
      try {
        session.close();
      } catch (OrtException closing) {
        e.addSuppressed(closing);
      }
      if (e instanceof IllegalArgumentException) {
        throw (IllegalArgumentException) e;
      }
      throw new IllegalArgumentException(
          "ONNX model " + file + ": " + firstLine(e.getMessage()), e);
    }
  }

  private static void checkTensor(
      Path file, String what, Map<String, NodeInfo> infos, String name, int columns) {
    if (infos.size() != 1 || !infos.containsKey(name)) {
      throw new IllegalArgumentException(
          "ONNX model "
              + file
              + ": expected one "
              + what
              + " named '"
              + name
              + "' (float [N,"
              + columns
              + "]), found "
              + infos.keySet());
    }
    if (!(infos.get(name).getInfo() instanceof TensorInfo t) || t.type != OnnxJavaType.FLOAT) {
      throw new IllegalArgumentException(
          "ONNX model "
              + file
              + ": "
              + what
              + " '"
              + name
              + "' must be a float tensor [N,"
              + columns
              + "], is "
              + infos.get(name).getInfo());
    }
    long[] shape = t.getShape();
    if (shape.length != 2 || shape[1] != columns) {
      throw new IllegalArgumentException(
          "ONNX model "
              + file
              + ": "
              + what
              + " '"
              + name
              + "' must have shape [N,"
              + columns
              + "], has "
              + Arrays.toString(shape));
    }
    if (shape[0] >= 0) {
      // ONNX Runtime reports a symbolic or unknown dimension as -1; a fixed one would fail every
      // other batch size.
      throw new IllegalArgumentException(
          "ONNX model "
              + file
              + ": "
              + what
              + " '"
              + name
              + "' must have a dynamic batch"
              + " dimension [N,"
              + columns
              + "], has a fixed "
              + Arrays.toString(shape)
              + " (export with a dynamic axis 0)");
    }
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "no message";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  @Override
  public String version() {
    return version;
  }

  @Override
  public int inputs() {
    return inputs;
  }

  @Override
  public int heads() {
    return heads;
  }

  @Override
  public void predict(float[] features, int n, float[] out) {
    if (n == 0) {
      return;
    }
    Buffers b = buffers.get();
    b.ensure(n, inputs, heads);
    FloatBuffer in = b.in.clear();
    in.put(features, 0, n * inputs).flip();
    FloatBuffer res = b.out.clear().limit(n * heads);
    long[] inShape = {n, inputs};
    long[] outShape = {n, heads};
    try (OnnxTensor x = OnnxTensor.createTensor(env, in, inShape);
        OnnxTensor y = OnnxTensor.createTensor(env, res, outShape)) {
      // The output tensor is pinned: ONNX Runtime writes straight into this thread's buffer, and
      // the result
      // owns nothing we read.
      session.run(Map.of(INPUT, x), Map.of(OUTPUT, y)).close();
      res.get(0, out, 0, n * heads);
    } catch (OrtException e) {
      throw new IllegalStateException(
          "ONNX model " + version + ": inference failed on " + n + " rows: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() throws OrtException {
    session.close();
  }

  /** One thread's direct buffers, sized for the largest batch it has seen. */
  private static final class Buffers {
    FloatBuffer in = FloatBuffer.allocate(0);
    FloatBuffer out = FloatBuffer.allocate(0);

    void ensure(int n, int inputs, int heads) {
      if (in.capacity() < n * inputs) {
        int rows = Math.max(n, 256);
        in = direct(rows * inputs);
        out = direct(rows * heads);
      }
    }

    private static FloatBuffer direct(int floats) {
      return ByteBuffer.allocateDirect(floats * Float.BYTES)
          .order(ByteOrder.nativeOrder())
          .asFloatBuffer();
    }
  }

  @Override
  public String toString() {
    return "OnnxHeadModel[" + version + ", " + inputs + " -> " + heads + "]";
  }
}
