package io.rankingcluster.offline;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rankingcluster.offline.world.DemoWorld;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** On a fixed seed and world size, the learned channels beat the non-learned bar. */
class BaselineEvaluationTest {
  @Test
  void evaluate_fixedWorld_embeddingRecallAt100BeatsPopularity() {
    DemoWorld world = DemoWorld.generate(new DemoWorld.Spec(42, 12_000, 4_000, 120));
    Steps steps = new Steps(new PrintStream(OutputStream.nullOutputStream()));
    BaselineEvaluation.Config cfg = new BaselineEvaluation.Config(4, 800, 40, 500, 42);
    BaselineEvaluation.Trained trained =
        BaselineEvaluation.train(
            world, cfg, new ImplicitAls.Config(32, 6, 3, 10f, 1f, 42, 2), steps);
    BaselineEvaluation.Result r = BaselineEvaluation.evaluate(world, trained, cfg, steps);
    Map<String, BaselineEvaluation.ChannelResult> byName =
        r.channels().stream()
            .collect(Collectors.toMap(BaselineEvaluation.ChannelResult::name, c -> c));
    double ann = byName.get("ann").recallAt100();
    double popular = byName.get("popular").recallAt100();
    double random = byName.get("random").recallAt100();
    assertTrue(
        ann > popular, "embedding recall@100 " + ann + " should beat popularity's " + popular);
    assertTrue(
        popular > random, "popularity recall@100 " + popular + " should beat random's " + random);
    assertTrue(r.mergedRecall() > ann, "the union of channels should find more than any one");
  }
}
