package io.rankingcluster.offline;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Amazon Beauty, read from ../shared/data at run time: the pipeline's recall signals beat
 * popularity by the margin issue 7 asks (full-ranking HR@10 >= 1.5x). Skipped, naming the folder,
 * when the data is absent; under CI=true the absence fails.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class BeautyEvaluationTest {
  static final Path DATA =
      Path.of("..", "..", "shared", "data", "amazon-beauty-s3rec").toAbsolutePath().normalize();

  @Test
  void fullRankingHrAt10_alsPlusItemToItem_isAtLeast1point5TimesPopularity() throws Exception {
    if (!Files.isRegularFile(DATA.resolve("Beauty.txt"))) {
      if ("true".equals(System.getenv("CI"))) {
        fail(DATA + " (../shared/data/amazon-beauty-s3rec) is missing (CI=true)");
      }
      Assumptions.assumeTrue(
          false, DATA + " (../shared/data/amazon-beauty-s3rec) is missing; skipping");
    }
    BeautyEvaluation.Data d = BeautyEvaluation.read(DATA);
    BeautyEvaluation.Model m =
        BeautyEvaluation.train(d, 1, new ImplicitAls.Config(32, 6, 3, 10f, 1f, 42, 2));
    int[] users = IntStream.range(0, d.users()).toArray();
    double pop = BeautyEvaluation.evaluate(d, m, "popularity", 1, 1, users, 42).full()[1];
    double blend = BeautyEvaluation.evaluate(d, m, "ALS + item-to-item", 1, 1, users, 42).full()[1];
    System.out.printf(
        "Beauty full-ranking HR@10: ALS + item-to-item %.4f, popularity %.4f%n", blend, pop);
    assertTrue(blend >= 1.5 * pop, "HR@10 " + blend + " vs popularity " + pop);
  }
}
