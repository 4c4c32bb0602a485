package io.rankingcluster.bench;

import io.rankingcluster.core.snapshot.Snapshot;
import io.rankingcluster.core.snapshot.SnapshotReader;
import io.rankingcluster.offline.world.DemoWorld;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code evaluate-pipeline}: the served pages of a demo-world snapshot against the world's ground
 * truth ({@link PipelineEvaluation}), written as docs/evaluation/pipeline-quality.md and .svg. The
 * world is regenerated from its seed and sizes (deterministic), so it must match the snapshot's.
 */
@Command(
    name = "evaluate-pipeline",
    mixinStandardHelpOptions = true,
    description =
        "Evaluates the whole pipeline (in process) on a demo-world snapshot against the ground"
            + " truth.")
public final class EvaluatePipelineMain implements Callable<Integer> {
  @Option(
      names = "--snapshot-root",
      required = true,
      description = "Root of a snapshot built from the demo world.")
  Path root;

  @Option(
      names = "--seed",
      defaultValue = "42",
      description = "World seed of the snapshot (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--items",
      defaultValue = "200000",
      description = "World items (default: ${DEFAULT-VALUE}).")
  int items;

  @Option(
      names = "--users",
      defaultValue = "50000",
      description = "World users (default: ${DEFAULT-VALUE}).")
  int users;

  @Option(
      names = "--impressions-per-user",
      defaultValue = "150",
      description = "World impressions per user (default: ${DEFAULT-VALUE}).")
  int impressions;

  @Option(
      names = "--eval-users",
      defaultValue = "500",
      description = "Users evaluated (default: ${DEFAULT-VALUE}).")
  int evalUsers;

  @Option(
      names = "--shards",
      defaultValue = "1",
      description = "Recall shards, as the cluster runs them (default: ${DEFAULT-VALUE}).")
  int shards;

  @Option(
      names = "--out",
      defaultValue = "docs/evaluation",
      description = "Report folder (default: ${DEFAULT-VALUE}).")
  Path out;

  public static void main(String[] args) {
    System.exit(new CommandLine(new EvaluatePipelineMain()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    long t0 = System.nanoTime();
    System.out.printf(
        "generating world (seed %d, %d items, %d users) for its ground truth...%n",
        seed, items, users);
    DemoWorld world = DemoWorld.generate(new DemoWorld.Spec(seed, items, users, impressions));
    long t1 = System.nanoTime();
    Snapshot snap = SnapshotReader.readCurrent(root);
    if (snap.catalog().size() != world.catalog.size()
        || snap.users().size() != world.users.size()) {
      System.err.printf(
          "snapshot %s has %d items and %d users; the world has %d and %d: not the same world%n",
          snap.version(),
          snap.catalog().size(),
          snap.users().size(),
          world.catalog.size(),
          world.users.size());
      return 2;
    }
    long t2 = System.nanoTime();
    System.out.printf(
        "world %.1f s, snapshot %s loaded %.1f s; evaluating %d users...%n",
        (t1 - t0) / 1e9, snap.version(), (t2 - t1) / 1e9, evalUsers);
    Path work = Files.createTempDirectory("pipeline-eval");
    PipelineEvaluation.Result r =
        PipelineEvaluation.evaluate(
            world, snap, root.resolve(snap.version()), evalUsers, shards, seed, work);
    PipelineEvaluation.write(
        r,
        String.format(
            "demo world seed %d, %d items, %d users (%s)", seed, items, users, snap.version()),
        out);
    r.rows()
        .forEach(
            row ->
                System.out.printf(
                    "%-28s NDCG@20 %.4f  oracle share %.4f%n",
                    row.name(), row.ndcg(), row.oracleShare()));
    System.out.printf(
        "wrote %s (evaluation %.1f s, total %.1f s)%n",
        out.resolve("pipeline-quality.md"), r.millis() / 1000.0, (System.nanoTime() - t0) / 1e9);
    return 0;
  }
}
