package io.rankingcluster.offline;

import io.rankingcluster.core.model.MultiTaskModel;
import io.rankingcluster.core.model.SnapshotModels;
import io.rankingcluster.core.snapshot.Manifest;
import io.rankingcluster.core.snapshot.Snapshot;
import io.rankingcluster.core.snapshot.SnapshotReader;
import io.rankingcluster.core.snapshot.SnapshotStore;
import io.rankingcluster.core.snapshot.SnapshotValidator;
import io.rankingcluster.offline.world.DemoWorld;
import io.rankingcluster.offline.world.EventLog;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The offline command line: generate a world, build and manage snapshots, evaluate baselines. */
@Command(
    name = "offline",
    mixinStandardHelpOptions = true,
    description = "Offline pipeline of the ranking cluster: demo world, snapshots, evaluation.",
    subcommands = {
      OfflineMain.Generate.class,
      OfflineMain.BuildSnapshot.class,
      OfflineMain.Evaluate.class,
      OfflineMain.EvaluateBeauty.class,
      OfflineMain.Validate.class,
      OfflineMain.Versions.class,
      OfflineMain.Pin.class,
      OfflineMain.ExportOnnx.class
    })
public final class OfflineMain implements Callable<Integer> {
  public static void main(String[] args) {
    System.exit(new CommandLine(new OfflineMain()).execute(args));
  }

  @Override
  public Integer call() {
    new CommandLine(this).usage(System.out);
    return 0;
  }

  /** The demo world's size and seed (shared by the commands that generate one). */
  static final class WorldOptions {
    @Option(
        names = "--seed",
        defaultValue = "42",
        description = "World seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
        names = "--items",
        defaultValue = "200000",
        description = "Items (default: ${DEFAULT-VALUE}).")
    int items;

    @Option(
        names = "--users",
        defaultValue = "50000",
        description = "Users, named \"1\"..\"N\" (default: ${DEFAULT-VALUE}).")
    int users;

    @Option(
        names = "--impressions-per-user",
        defaultValue = "150",
        description =
            "Mean simulated impressions per user over the 28 days (default: ${DEFAULT-VALUE}).")
    int impressionsPerUser;

    DemoWorld generate(Steps steps) {
      steps.start(
          String.format(
              Locale.ROOT, "generate world (seed %d, %d items, %d users)", seed, items, users));
      DemoWorld w = DemoWorld.generate(new DemoWorld.Spec(seed, items, users, impressionsPerUser));
      steps.end(w.events.size() + " impressions, " + w.events.clicks() + " clicks");
      return w;
    }

    String name() {
      return "demo-s" + seed + "-i" + items + "-u" + users;
    }
  }

  /** Embedding settings. */
  static final class ModelOptions {
    @Option(
        names = "--dim",
        defaultValue = "64",
        description = "Embedding dimension (default: ${DEFAULT-VALUE}).")
    int dim;

    @Option(
        names = "--als-iterations",
        defaultValue = "8",
        description = "ALS iterations (default: ${DEFAULT-VALUE}).")
    int iterations;

    @Option(
        names = "--threads",
        defaultValue = "0",
        description = "Training threads; 0 = all processors (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(
        names = "--no-models",
        description = "Ship no prerank/rank models (the stages then score with item priors).")
    boolean noModels;

    ImplicitAls.Config als(long seed) {
      ImplicitAls.Config d = ImplicitAls.Config.defaults(seed);
      return new ImplicitAls.Config(
          dim,
          iterations,
          d.cgSteps(),
          d.alpha(),
          d.lambda(),
          seed,
          threads > 0 ? threads : d.threads());
    }
  }

  @Command(
      name = "generate",
      mixinStandardHelpOptions = true,
      description =
          "Generates the demo world and prints its statistics; optionally writes its event log as"
              + " CSV.")
  static final class Generate implements Callable<Integer> {
    @Mixin WorldOptions world;

    @Option(
        names = "--events-csv",
        description =
            "Write every impression as CSV here (user_id,item_id,time_ms,position,"
                + "click,cart,purchase,watch_seconds).")
    Path eventsCsv;

    @Override
    public Integer call() throws IOException {
      Steps steps = new Steps(System.out);
      DemoWorld w = world.generate(steps);
      if (eventsCsv != null) {
        steps.start("write " + eventsCsv);
        try (BufferedWriter out = Files.newBufferedWriter(eventsCsv, StandardCharsets.UTF_8)) {
          out.write("user_id,item_id,time_ms,position,click,cart,purchase,watch_seconds\n");
          EventLog e = w.events;
          for (int i = 0; i < e.size(); i++) {
            out.write(
                w.users.userId(e.user(i))
                    + ","
                    + w.catalog.ids[e.item(i)]
                    + ","
                    + DemoWorld.epochMs(e.timeSec(i))
                    + ","
                    + e.position(i)
                    + ","
                    + (e.clicked(i) ? 1 : 0)
                    + ","
                    + (e.carted(i) ? 1 : 0)
                    + ","
                    + (e.purchased(i) ? 1 : 0)
                    + ","
                    + e.watchSeconds(i)
                    + "\n");
            if ((i & 0xFFFFF) == 0) {
              steps.progress(i, e.size(), "events");
            }
          }
        }
        steps.end("");
      }
      int[] kinds = new int[4];
      for (byte k : w.catalog.kinds) {
        kinds[k]++;
      }
      System.out.printf(
          Locale.ROOT,
          "%nitems %d (products %d, videos %d, live streams %d), users %d, impressions %d, clicks"
              + " %d%n",
          w.catalog.size(),
          kinds[1],
          kinds[2],
          kinds[3],
          w.users.size(),
          w.events.size(),
          w.events.clicks());
      steps.summary();
      return 0;
    }
  }

  @Command(
      name = "build-snapshot",
      mixinStandardHelpOptions = true,
      description =
          "Generates the world, trains embeddings and neighbours, writes a snapshot and makes it"
              + " CURRENT.")
  static final class BuildSnapshot implements Callable<Integer> {
    @Mixin WorldOptions world;
    @Mixin ModelOptions model;

    @Option(
        names = "--root",
        required = true,
        description = "Snapshot root folder (versions and CURRENT live here).")
    Path root;

    @Option(
        names = "--keep",
        defaultValue = "3",
        description =
            "Complete versions to keep; older ones are deleted (default: ${DEFAULT-VALUE}).")
    int keep;

    @Option(
        names = "--version",
        description = "Version name (default: the world's name and the build time).")
    String version;

    @Option(
        names = "--rank-variant",
        description = "Also ship a second rank model, rank@wide (48-24), for an A/B test.")
    boolean rankVariant;

    @Override
    public Integer call() throws IOException {
      if (keep < 1) {
        throw new CommandLine.ParameterException(
            new CommandLine(this), "--keep must be >= 1, was " + keep);
      }
      Steps steps = new Steps(System.out);
      DemoWorld w = world.generate(steps);
      String name =
          version != null
              ? version
              : world.name()
                  + "-"
                  + ZonedDateTime.now(ZoneOffset.UTC)
                      .format(DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss"));
      Snapshot s =
          SnapshotBuilder.build(
              w,
              name,
              model.als(world.seed),
              ItemToItemBuilder.Config.DEFAULT,
              model.noModels ? null : ModelTraining.Config.defaults(world.seed),
              rankVariant,
              steps);
      steps.start("write snapshot " + name + " to " + root);
      SnapshotStore store = new SnapshotStore(root);
      store.write(s);
      store.publish(name);
      List<String> removed = store.retain(keep);
      steps.end(
          removed.isEmpty() ? "CURRENT -> " + name : "CURRENT -> " + name + ", removed " + removed);
      steps.summary();
      return 0;
    }
  }

  @Command(
      name = "evaluate",
      mixinStandardHelpOptions = true,
      description =
          "Evaluates the recall channels and baselines on held-out clicks; writes a report and a"
              + " plot.")
  static final class Evaluate implements Callable<Integer> {
    @Mixin WorldOptions world;
    @Mixin ModelOptions model;

    @Option(
        names = "--out",
        defaultValue = "docs/evaluation",
        description = "Report folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(
        names = "--eval-users",
        defaultValue = "2000",
        description = "Users evaluated (default: ${DEFAULT-VALUE}).")
    int evalUsers;

    @Override
    public Integer call() throws IOException {
      Steps steps = new Steps(System.out);
      DemoWorld w = world.generate(steps);
      BaselineEvaluation.Config cfg =
          new BaselineEvaluation.Config(4, evalUsers, 300, 500, world.seed);
      BaselineEvaluation.Trained trained =
          BaselineEvaluation.train(w, cfg, model.als(world.seed), steps);
      BaselineEvaluation.Result result = BaselineEvaluation.evaluate(w, trained, cfg, steps);
      ModelTraining.Result models =
          model.noModels
              ? null
              : ModelTraining.run(w, ModelTraining.Config.defaults(world.seed), steps);
      String timings = steps.summary();
      Files.createDirectories(out);
      BaselineReport.write(out, w, cfg, result, timings);
      System.out.println("report: " + out.resolve("baselines.md"));
      if (models != null) {
        ModelReport.write(out, w, models);
        System.out.println("report: " + out.resolve("models.md"));
      }
      return 0;
    }
  }

  @Command(
      name = "evaluate-beauty",
      mixinStandardHelpOptions = true,
      description =
          "Amazon Beauty (read at run time), leave-one-out, sampled and full ranking:"
              + " docs/evaluation/beauty.md.")
  static final class EvaluateBeauty implements Callable<Integer> {
    @Option(
        names = "--data",
        defaultValue = "../shared/data/amazon-beauty-s3rec",
        description =
            "The dataset folder (Beauty.txt; research-only data, never copied) (default:"
                + " ${DEFAULT-VALUE}).")
    Path data;

    @Option(
        names = "--out",
        defaultValue = "docs/evaluation",
        description = "Report folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(
        names = "--als-iterations",
        defaultValue = "10",
        description = "ALS iterations (default: ${DEFAULT-VALUE}).")
    int iterations;

    @Option(
        names = "--validation-users",
        defaultValue = "5000",
        description =
            "Users whose validation targets choose the hyperparameters (default:"
                + " ${DEFAULT-VALUE}).")
    int validationUsers;

    @Option(
        names = "--seed",
        defaultValue = "42",
        description = "Seed of ALS and of the sampled negatives (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
      if (!java.nio.file.Files.isRegularFile(data.resolve("Beauty.txt"))) {
        System.err.println(
            "no Beauty.txt in "
                + data
                + " (the dataset folder of ../shared/data/amazon-beauty-s3rec)");
        return 2;
      }
      Steps steps = new Steps(System.out);
      steps.start("read " + data.resolve("Beauty.txt"));
      BeautyEvaluation.Data d = BeautyEvaluation.read(data);
      steps.end(d.users() + " users, " + d.items() + " items");
      BeautyEvaluation.Result r = BeautyEvaluation.run(d, iterations, validationUsers, seed, steps);
      BeautyEvaluation.write(r, out, "Timings (2 cores, shared machine):\n\n" + steps.summary());
      for (BeautyEvaluation.Scores s : r.scores()) {
        System.out.printf(
            Locale.ROOT,
            "%-20s sampled HR@10 %.4f NDCG@10 %.4f | full HR@10 %.4f NDCG@10 %.4f%n",
            s.method(),
            s.sampled()[2],
            s.sampled()[4],
            s.full()[1],
            s.full()[4]);
      }
      System.out.println("wrote " + out.resolve("beauty.md"));
      return 0;
    }
  }

  @Command(
      name = "validate",
      mixinStandardHelpOptions = true,
      description =
          "Validates a snapshot version folder, or the CURRENT version of a root; exit 1 when"
              + " invalid.")
  static final class Validate implements Callable<Integer> {
    @Parameters(index = "0", description = "A version folder or a snapshot root.")
    Path path;

    @Override
    public Integer call() {
      try {
        System.out.println(SnapshotValidator.validate(path));
        return 0;
      } catch (Exception e) {
        System.err.println("invalid snapshot: " + e.getMessage());
        return 1;
      }
    }
  }

  @Command(
      name = "versions",
      mixinStandardHelpOptions = true,
      description = "Lists the complete versions of a root and CURRENT.")
  static final class Versions implements Callable<Integer> {
    @Option(names = "--root", required = true, description = "Snapshot root folder.")
    Path root;

    @Override
    public Integer call() throws IOException {
      SnapshotStore store = new SnapshotStore(root);
      String current = store.current().orElse("");
      for (SnapshotStore.Version v : store.versions()) {
        System.out.printf(
            "%s %-60s %s%n", v.name().equals(current) ? "*" : " ", v.name(), v.createdAt());
      }
      return 0;
    }
  }

  @Command(
      name = "pin",
      mixinStandardHelpOptions = true,
      description = "Makes an existing version CURRENT again (rollback), after validating it.")
  static final class Pin implements Callable<Integer> {
    @Option(names = "--root", required = true, description = "Snapshot root folder.")
    Path root;

    @Parameters(index = "0", description = "The version to make CURRENT.")
    String version;

    @Override
    public Integer call() throws IOException {
      new SnapshotStore(root).pin(version);
      System.out.println("CURRENT -> " + version);
      return 0;
    }
  }

  @Command(
      name = "export-onnx",
      mixinStandardHelpOptions = true,
      description = {
        "Writes a snapshot's model as an ONNX file (input 'features' float [N,18], output 'heads'"
            + " float [N,3]; docs/models-onnx.md), for ONNX Runtime or any other ONNX runtime; exit"
            + " 1 when the snapshot or model is missing."
      })
  static final class ExportOnnx implements Callable<Integer> {
    @Option(
        names = "--snapshot",
        required = true,
        description = "A version folder or a snapshot root (its CURRENT version).")
    Path snapshot;

    @Option(
        names = "--model",
        defaultValue = "rank",
        description =
            "The model file in the snapshot: rank or a variant such as rank@wide (default:"
                + " ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--out", required = true, description = "The ONNX file to write.")
    Path out;

    @Option(
        names = "--version",
        description =
            "The version the ONNX model is served under (default: the model's version plus"
                + " '-onnx').")
    String version;

    @Override
    public Integer call() throws IOException {
      Snapshot s;
      try {
        s = SnapshotReader.read(versionDir(snapshot));
      } catch (Exception e) {
        System.err.println("export-onnx: cannot read snapshot " + snapshot + ": " + e.getMessage());
        return 1;
      }
      MultiTaskModel m = SnapshotModels.get(s, model);
      if (m == null) {
        System.err.println(
            "export-onnx: snapshot "
                + s.version()
                + " has no model '"
                + model
                + "' (it has: "
                + String.join(", ", s.models().keySet())
                + ")");
        return 1;
      }
      String name = version != null ? version : m.version() + "-onnx";
      long bytes = OnnxExporter.write(m, name, out);
      System.out.printf(
          "%s: model %s of snapshot %s as ONNX version %s (%d inputs, hidden %s, %d heads, %d"
              + " bytes)%n",
          out,
          model,
          s.version(),
          name,
          m.inputs(),
          java.util.Arrays.toString(m.hidden()),
          m.heads(),
          bytes);
      return 0;
    }

    /**
     * A version folder (it has a manifest) or a root's CURRENT version, as {@code validate} takes
     * them.
     */
    static Path versionDir(Path dirOrRoot) throws IOException {
      if (!Files.exists(dirOrRoot.resolve(Manifest.FILE_NAME))
          && Files.exists(dirOrRoot.resolve("CURRENT"))) {
        return dirOrRoot.resolve(SnapshotReader.readCurrentName(dirOrRoot));
      }
      return dirOrRoot;
    }
  }
}
