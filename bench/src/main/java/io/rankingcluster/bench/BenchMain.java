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
      OverloadRampMain.class,
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
  /** The commands that generate load beside the services they measure, on the same cores. */
  static final java.util.Set<String> LOAD_COMMANDS =
      java.util.Set.of("load", "sweep", "chaos", "overload-ramp");

  /**
   * JVM flags of the load-generating process: C1 only and the serial collector. A load generator
   * that runs its JIT's second tier and a parallel collector beside the services spent 1.4-2.2 ms
   * of CPU per request, most of it compiling; with these, 0.6 ms at the same rate
   * (docs/benchmarks.md, decision 0015).
   */
  static final List<String> LOAD_JVM_FLAGS =
      List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx1g");

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && LOAD_COMMANDS.contains(args[0]) && !tunedForLoad()) {
      System.exit(relaunch(args));
    }
    System.exit(new CommandLine(new BenchMain()).execute(args));
  }

  /**
   * Whether this JVM already runs with {@link #LOAD_JVM_FLAGS} (or the user said not to relaunch
   * it).
   */
  static boolean tunedForLoad() {
    List<String> jvm =
        java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments();
    return jvm.containsAll(LOAD_JVM_FLAGS) || "false".equals(System.getenv("BENCH_RELAUNCH"));
  }

  /**
   * Runs the same command in a child JVM with {@link #LOAD_JVM_FLAGS} (and this JVM's other
   * options), its output and input passed through; returns its exit code. A SIGTERM to this process
   * stops the child too.
   */
  static int relaunch(String[] args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
    cmd.addAll(LOAD_JVM_FLAGS);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(BenchMain.class.getName());
    cmd.addAll(List.of(args));
    Process child = new ProcessBuilder(cmd).inheritIO().start();
    Runtime.getRuntime().addShutdownHook(new Thread(child::destroy, "bench-child-stop"));
    return child.waitFor();
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
