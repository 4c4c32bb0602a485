package io.rankingcluster.offline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rankingcluster.core.eval.Metrics;
import io.rankingcluster.core.model.MultiTaskModel;
import io.rankingcluster.offline.world.DemoWorld;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ModelTrainingTest {
  private static final Steps QUIET = new Steps(new PrintStream(OutputStream.nullOutputStream()));

  /**
   * Clicks drawn from sigmoid(2 x0 - x1 - 1) with x ~ N(0,1): a logistic regression must recover
   * the signs and order.
   */
  static MultiTaskTrainer.Data planted(int n, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    float[] x = new float[n * 3];
    boolean[] click = new boolean[n];
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < 3; k++) {
        x[i * 3 + k] =
            (float)
                (Math.sqrt(-2 * Math.log(1 - rnd.nextDouble()))
                    * Math.cos(2 * Math.PI * rnd.nextDouble()));
      }
      double p = 1 / (1 + Math.exp(-(2 * x[i * 3] - x[i * 3 + 1] - 1)));
      click[i] = rnd.nextDouble() < p;
    }
    byte[] pos = new byte[n];
    java.util.Arrays.fill(pos, (byte) 1);
    return new MultiTaskTrainer.Data(
        x, n, 3, click, new boolean[n], new float[n], new boolean[n], pos);
  }

  @Test
  void trainer_plantedLogisticEffect_recoveredAndDeterministic() {
    MultiTaskTrainer.Config cfg =
        new MultiTaskTrainer.Config(new int[0], false, false, 3, 256, 0.02f, 0f, 5);
    MultiTaskTrainer.Data train = planted(20_000, 1);
    MultiTaskTrainer.Data valid = planted(5_000, 2);
    MultiTaskModel a = MultiTaskTrainer.train("t", train, valid, cfg, null).model();
    MultiTaskModel b = MultiTaskTrainer.train("t", train, valid, cfg, null).model();
    assertArrayEquals(a.toBytes(), b.toBytes(), "same seed, same model");
    // Effects in the planted direction: raising x0 raises p, raising x1 lowers it, x2 does nothing
    // much.
    float[] probe = {0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1};
    float[] out = new float[4];
    a.predict(probe, 4, out, new float[2 * a.maxWidth()]);
    assertTrue(out[1] > out[0] + 0.2, "x0 effect: " + out[1] + " vs " + out[0]);
    assertTrue(out[2] < out[0] - 0.05, "x1 effect: " + out[2] + " vs " + out[0]);
    assertTrue(Math.abs(out[3] - out[0]) < 0.05, "x2 has no effect: " + out[3] + " vs " + out[0]);
    // Calibrated: at x = 0 the truth is sigmoid(-1) = 0.269.
    assertEquals(0.269, out[0], 0.04);
    MultiTaskTrainer.Data test = planted(5_000, 3);
    float[] p = new float[test.n()];
    a.predict(test.x(), test.n(), p, new float[2 * a.maxWidth()]);
    assertTrue(Metrics.auc(p, test.click()) > 0.75);
  }

  @Test
  void modelFile_roundTrip_identicalPredictions() {
    MultiTaskTrainer.Data train = planted(3_000, 4);
    MultiTaskModel m =
        MultiTaskTrainer.train(
                "rt",
                train,
                train,
                new MultiTaskTrainer.Config(new int[] {8}, true, true, 1, 64, 0.01f, 0f, 9),
                null)
            .model();
    MultiTaskModel back = MultiTaskModel.fromBytes(m.toBytes(), "rt");
    float[] a = new float[train.n() * m.heads()];
    float[] b = new float[train.n() * m.heads()];
    m.predict(train.x(), train.n(), a, new float[2 * m.maxWidth()]);
    back.predict(train.x(), train.n(), b, new float[2 * m.maxWidth()]);
    assertArrayEquals(a, b);
    IllegalArgumentException bad =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class,
            () -> MultiTaskModel.fromBytes(java.util.Arrays.copyOf(m.toBytes(), 20), "cut"));
    assertTrue(bad.getMessage().contains("cut"), bad.getMessage());
  }

  @Test
  void run_fixedWorld_everyHeadBeatsItsBaseline() {
    DemoWorld world = DemoWorld.generate(new DemoWorld.Spec(42, 12_000, 4_000, 120));
    ModelTraining.Config cfg =
        new ModelTraining.Config(
            14, 22, 24, 400_000, 100_000, new ImplicitAls.Config(32, 5, 3, 10f, 1f, 42, 2), 2, 42);
    ModelTraining.Result r = ModelTraining.run(world, cfg, QUIET);
    for (ModelTraining.HeadResult h : r.heads()) {
      assertTrue(
          h.auc() > h.baselineAuc(),
          h.model() + " " + h.head() + ": AUC " + h.auc() + " vs baseline " + h.baselineAuc());
      assertTrue(
          h.logLoss() < h.baselineLogLoss(),
          h.model()
              + " "
              + h.head()
              + ": log loss "
              + h.logLoss()
              + " vs baseline "
              + h.baselineLogLoss());
    }
  }
}
