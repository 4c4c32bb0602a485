package io.rankingcluster.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rankingcluster.core.eval.Metrics;
import org.junit.jupiter.api.Test;

/** Metric code against cases computed by hand. */
class MetricsTest {
  private static final long[] RANKED = {5, 3, 9, 1, 7};
  private static final long[] RELEVANT = Metrics.sortedSet(new long[] {9, 7, 42});

  @Test
  void recallAndHitRate_handComputed() {
    assertEquals(1 / 3.0, Metrics.recallAtK(RANKED, RELEVANT, 3), 1e-12); // 9 at rank 3
    assertEquals(2 / 3.0, Metrics.recallAtK(RANKED, RELEVANT, 5), 1e-12);
    assertEquals(0.0, Metrics.hitRateAtK(RANKED, RELEVANT, 2));
    assertEquals(1.0, Metrics.hitRateAtK(RANKED, RELEVANT, 3));
    assertEquals(0.0, Metrics.recallAtK(RANKED, new long[0], 5));
  }

  @Test
  void reciprocalRank_firstRelevantAtThree() {
    assertEquals(1 / 3.0, Metrics.reciprocalRank(RANKED, RELEVANT), 1e-12);
    assertEquals(0.0, Metrics.reciprocalRank(RANKED, new long[] {100}));
  }

  @Test
  void ndcgBinary_handComputed() {
    // hits at ranks 3 and 5: DCG = 1/log2(4) + 1/log2(6); ideal for 3 relevant in 5: 1 + 1/log2(3)
    // + 1/log2(4)
    double dcg = 1 / 2.0 + 1 / (Math.log(6) / Math.log(2));
    double idcg = 1 + 1 / (Math.log(3) / Math.log(2)) + 0.5;
    assertEquals(dcg / idcg, Metrics.ndcgAtK(RANKED, RELEVANT, 5), 1e-12);
  }

  @Test
  void ndcgGraded_perfectOrderIsOne_reversedIsLess() {
    double[] gains = {3, 2, 1};
    assertEquals(1.0, Metrics.ndcgAtK(gains, gains, 3), 1e-12);
    double reversed = Metrics.ndcgAtK(new double[] {1, 2, 3}, gains, 3);
    double expected =
        (1 + 2 / (Math.log(3) / Math.log(2)) + 3 / 2.0)
            / (3 + 2 / (Math.log(3) / Math.log(2)) + 1 / 2.0);
    assertEquals(expected, reversed, 1e-12);
  }

  @Test
  void auc_handComputedWithTies() {
    // positives: 0.9, 0.5; negatives: 0.5, 0.1 -> pairs: (0.9>0.5) 1, (0.9>0.1) 1, (0.5=0.5) .5,
    // (0.5>0.1) 1 -> 3.5/4
    float[] s = {0.9f, 0.5f, 0.5f, 0.1f};
    boolean[] y = {true, true, false, false};
    assertEquals(0.875, Metrics.auc(s, y), 1e-12);
    assertEquals(1.0, Metrics.auc(new float[] {0.9f, 0.1f}, new boolean[] {true, false}), 1e-12);
    assertTrue(Double.isNaN(Metrics.auc(new float[] {0.3f}, new boolean[] {true})));
  }

  @Test
  void logLossAndEce_handComputed() {
    float[] p = {0.8f, 0.4f};
    boolean[] y = {true, false};
    assertEquals(-(Math.log(0.8) + Math.log(0.6)) / 2, Metrics.logLoss(p, y), 1e-6);
    // bins of 0.5: [0.4] -> |0.4 - 0| ; [0.8] -> |0.8 - 1|; weighted by 1/2 each
    assertEquals((0.4 + 0.2) / 2, Metrics.ece(p, y, 2), 1e-6);
  }

  @Test
  void oracleShare_ratioOfSums() {
    assertEquals(0.5, Metrics.oracleShare(new double[] {1, 1}, new double[] {2, 2}), 1e-12);
  }
}
