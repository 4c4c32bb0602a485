package io.rankingcluster.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rankingcluster.core.snapshot.Snapshot;
import io.rankingcluster.offline.ImplicitAls;
import io.rankingcluster.offline.ItemToItemBuilder;
import io.rankingcluster.offline.ModelTraining;
import io.rankingcluster.offline.SnapshotBuilder;
import io.rankingcluster.offline.Steps;
import io.rankingcluster.offline.world.DemoWorld;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The served pages against the demo world's ground truth: the margin issue 7 asks for, on a fixed
 * world.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class PipelineEvaluationTest {
  @Test
  void servedPage_ndcgAt20_isAtLeast1point3TimesPopularity(@TempDir Path dir) throws Exception {
    DemoWorld world = DemoWorld.generate(new DemoWorld.Spec(7, 4000, 600, 60));
    ImplicitAls.Config als = new ImplicitAls.Config(16, 4, 3, 10f, 1f, 7, 2);
    Steps quiet = new Steps(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
    Snapshot snap =
        SnapshotBuilder.build(
            world,
            "eval-v1",
            als,
            ItemToItemBuilder.Config.DEFAULT,
            new ModelTraining.Config(14, 22, 24, 100_000, 30_000, als, 1, 7),
            quiet);
    PipelineEvaluation.Result r = PipelineEvaluation.evaluate(world, snap, 200, 2, 11, dir);
    PipelineEvaluation.write(r, "test world", dir);
    r.rows()
        .forEach(
            row ->
                System.out.printf(
                    "%-28s ndcg %.4f share %.4f%n", row.name(), row.ndcg(), row.oracleShare()));
    double full = r.row(PipelineEvaluation.FULL).ndcg();
    double popular = r.row(PipelineEvaluation.POPULAR).ndcg();
    assertTrue(full >= 1.3 * popular, "served NDCG@20 " + full + " vs popularity " + popular);
    assertTrue(r.row(PipelineEvaluation.RANDOM).ndcg() < popular, "popularity beats random");
  }
}
