package io.rankingcluster.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code java -jar bench/target/bench.jar <command>}: every benchmark of the project behind one
 * entry point. docs/benchmarks.md gives the command behind each published figure.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    subcommandsRepeatable = false,
    description =
        "Benchmarks of the ranking cluster (load, sweeps, chaos, the in-process baseline, stages,"
            + " JFR summaries).",
    subcommands = {
      LoadGeneratorMain.class,
      SweepMain.class,
      ChaosMain.class,
      InProcessBaselineMain.class,
      RecallRpcBench.class,
      AnnBenchmark.class,
      EvaluatePipelineMain.class,
      JfrSummaryMain.class,
      BenchMain.Scoring.class,
      BenchMain.Onnx.class,
      BenchMain.Jmh.class,
      CommandLine.HelpCommand.class,
    })
public final class BenchMain implements Runnable {
  public static void main(String[] args) {
    System.exit(new CommandLine(new BenchMain()).execute(args));
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  /** Prerank and rank scoring alone, one thread (ScoringBench). */
  @Command(
      name = "scoring",
      description = "Prerank (2,000) and rank (200) scoring alone: SNAPSHOT_ROOT [CALLS].")
  static final class Scoring implements Callable<Integer> {
    @Parameters(arity = "1..2", paramLabel = "ARG")
    List<String> args;

    @Override
    public Integer call() throws Exception {
      ScoringBench.main(args.toArray(new String[0]));
      return 0;
    }
  }

  /** The built-in rank model against ONNX Runtime (OnnxScoringBench). */
  @Command(
      name = "onnx",
      description = "Built-in rank model against ONNX Runtime: SNAPSHOT_ROOT ONNX_FILE [BATCHES].")
  static final class Onnx implements Callable<Integer> {
    @Parameters(arity = "2..3", paramLabel = "ARG")
    List<String> args;

    @Override
    public Integer call() throws Exception {
      OnnxScoringBench.main(args.toArray(new String[0]));
      return 0;
    }
  }

  /** JMH with its own arguments (for example: StageBenchmarks -wi 2 -i 3 -f 1). */
  @Command(name = "jmh", description = "JMH micro-benchmarks; arguments go to JMH (try: jmh -l).")
  static final class Jmh implements Callable<Integer> {
    @Parameters(arity = "0..*", paramLabel = "JMH_ARG")
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
      org.openjdk.jmh.Main.main(args.toArray(new String[0]));
      return 0;
    }
  }
}
