package io.rankingcluster.core.model;

/**
 * A model that turns a batch of feature rows into per-row head outputs: the contract a ranking
 * stage scores through, whatever runs the model. {@link MultiTaskModel} is the built-in
 * implementation; the rank service also serves ONNX files through ONNX Runtime behind the same
 * interface.
 *
 * <p>Implementations are safe for concurrent {@link #predict} calls from many request threads.
 */
public interface HeadModel {
  /** The version a response names, and the key a request selects the model by. */
  String version();

  /** Feature columns per row. */
  int inputs();

  /** Output columns per row. */
  int heads();

  /**
   * Predicts every head for {@code n} rows of {@code features} (row-major, {@link #inputs()}
   * columns) into {@code out} (row-major, {@link #heads()} columns). The inputs are the raw
   * features: any standardisation is the model's own.
   */
  void predict(float[] features, int n, float[] out);
}
