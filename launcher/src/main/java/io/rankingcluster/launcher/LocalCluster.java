package io.rankingcluster.launcher;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.rankingcluster.proto.v1.FeedItem;
import io.rankingcluster.proto.v1.MixerServiceGrpc;
import io.rankingcluster.proto.v1.RecommendRequest;
import io.rankingcluster.proto.v1.RecommendResponse;
import io.rankingcluster.proto.v1.RequestContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The local cluster launcher: processes ("pods", see {@link Topology}) on loopback, pid files and
 * logs under {@code .cluster/}; {@code start} returns once every pod reports SERVING; {@code stop},
 * {@code kill}, {@code restart} and {@code start-pod} act on the whole cluster or on named pods;
 * {@code status} lists them; {@code feed} prints a page for a user.
 */
@Command(
    name = "cluster",
    mixinStandardHelpOptions = true,
    description =
        "Starts, stops and inspects the local ranking cluster (processes on loopback addresses).",
    subcommands = {
      LocalCluster.Start.class,
      LocalCluster.Stop.class,
      LocalCluster.Kill.class,
      LocalCluster.Restart.class,
      LocalCluster.StartPod.class,
      LocalCluster.StatusCmd.class,
      LocalCluster.Feed.class
    })
public final class LocalCluster implements Callable<Integer> {
  private static final String JAVA =
      Path.of(System.getProperty("java.home"), "bin", "java").toString();

  @Option(
      names = "--root",
      defaultValue = ".",
      description = "Project root holding the built modules (default: ${DEFAULT-VALUE}).")
  Path root;

  public static void main(String[] args) {
    System.exit(new CommandLine(new LocalCluster()).execute(args));
  }

  @Override
  public Integer call() {
    new CommandLine(this).usage(System.out);
    return 0;
  }

  Path runDir() {
    return root.resolve(".cluster");
  }

  Path pidFile(Topology.Pod p) {
    return runDir().resolve(p.name() + ".pid");
  }

  /**
   * The bearer token of the pods' AdminService, written at each fresh start (.cluster/admin-token).
   */
  Path adminTokenFile() {
    return runDir().resolve("admin-token");
  }

  Path topologyFile() {
    return runDir().resolve("topology.tsv");
  }

  Topology topology() throws IOException {
    return Topology.load(topologyFile());
  }

  /**
   * The pods named, or every pod when none is; an unknown name is an error naming the pods there
   * are.
   */
  List<Topology.Pod> select(Topology t, List<String> names) {
    if (names == null || names.isEmpty()) {
      return t.pods();
    }
    List<Topology.Pod> out = new ArrayList<>();
    for (String n : names) {
      out.add(
          t.pod(n)
              .orElseThrow(
                  () ->
                      new CommandLine.ParameterException(
                          new CommandLine(this),
                          "no pod '"
                              + n
                              + "'; pods: "
                              + t.pods().stream().map(Topology.Pod::name).toList())));
    }
    return out;
  }

  /** The JDK chosen at the cluster's start (.cluster/java), or the launcher's own. */
  JavaRuntime runtime() throws IOException {
    Path saved = runDir().resolve("java");
    if (!Files.exists(saved)) {
      return JavaRuntime.current();
    }
    try {
      return JavaRuntime.choose(Files.readString(saved).trim(), Map.of(), List.of());
    } catch (IllegalArgumentException e) {
      throw new IOException(saved + ": " + e.getMessage(), e);
    }
  }

  /** Starts one pod's process with its saved command line; returns its pid. */
  long launch(Topology.Pod p) throws IOException {
    Path jar = root.resolve(p.service()).resolve("target").resolve(p.service() + ".jar");
    if (!Files.exists(jar)) {
      throw new IOException("missing " + jar + ": build first with `mvn -DskipTests package`");
    }
    JavaRuntime runtime = runtime();
    List<String> cmd = new ArrayList<>();
    cmd.add(runtime.java().toString());
    cmd.addAll(runtime.flags(p.name(), jar, runDir().resolve("aot")));
    String jvm =
        Files.exists(runDir().resolve("jvm-opts"))
            ? Files.readString(runDir().resolve("jvm-opts")).trim()
            : "";
    if (!jvm.isEmpty()) {
      cmd.addAll(List.of(jvm.split("\\s+")));
    }
    cmd.addAll(List.of("-jar", jar.toString(), "--host=" + p.host(), "--port=" + p.port()));
    cmd.addAll(p.args());
    Path log = runDir().resolve("logs").resolve(p.name() + ".log");
    Files.createDirectories(log.getParent());
    Process proc =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    Files.writeString(pidFile(p), Long.toString(proc.pid()));
    return proc.pid();
  }

  /** Waits until the pod answers SERVING, its process exits, or the bound passes. */
  boolean awaitServing(Topology.Pod p, int timeoutSeconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    while (System.nanoTime() < deadline) {
      if (process(p).isEmpty()) {
        System.err.println(
            p.name()
                + " exited during start; see "
                + runDir().resolve("logs").resolve(p.name() + ".log"));
        return false;
      }
      if ("SERVING".equals(health(p.host(), p.port()))) {
        long startedAt =
            process(p)
                .flatMap(h -> h.info().startInstant())
                .map(java.time.Instant::toEpochMilli)
                .orElse(System.currentTimeMillis());
        System.out.printf(
            "%-16s SERVING %.1f s after its process started%n",
            p.name(), (System.currentTimeMillis() - startedAt) / 1000.0);
        return true;
      }
      TimeUnit.MILLISECONDS.sleep(200); // poll interval while a process loads and warms
    }
    System.err.printf(
        "%s did not report SERVING within %d s; see %s%n",
        p.name(), timeoutSeconds, runDir().resolve("logs").resolve(p.name() + ".log"));
    return false;
  }

  /** Starts one pod and waits for it to report SERVING. */
  boolean startAndAwait(Topology.Pod p, int timeoutSeconds)
      throws IOException, InterruptedException {
    System.out.printf("%-16s started pid %d on %s%n", p.name(), launch(p), p.address());
    return awaitServing(p, timeoutSeconds);
  }

  /** SIGTERM (graceful: health NOT_SERVING, drain) or SIGKILL; waits for the exit. */
  void stop(Topology.Pod p, boolean kill, int graceSeconds) throws Exception {
    stopAll(List.of(p), kill, graceSeconds);
  }

  /**
   * Signals every pod of {@code pods} at once, then waits for each within one shared grace period
   * (SIGKILL after it): a cluster stops in the time of its slowest drain, not their sum, which
   * matters when each JVM writes its AOT cache on the way out.
   */
  void stopAll(List<Topology.Pod> pods, boolean kill, int graceSeconds) throws Exception {
    List<Map.Entry<Topology.Pod, ProcessHandle>> signalled = new ArrayList<>();
    for (Topology.Pod p : pods) {
      Optional<ProcessHandle> h = process(p);
      if (h.isEmpty()) {
        System.out.printf("%-16s not running%n", p.name());
        Files.deleteIfExists(pidFile(p));
      } else {
        if (kill) {
          h.get().destroyForcibly();
        } else {
          h.get().destroy();
        }
        signalled.add(Map.entry(p, h.get()));
      }
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(kill ? 10 : graceSeconds);
    for (Map.Entry<Topology.Pod, ProcessHandle> e : signalled) {
      Topology.Pod p = e.getKey();
      ProcessHandle h = e.getValue();
      long left = Math.max(0, deadline - System.nanoTime());
      try {
        h.onExit().get(left, TimeUnit.NANOSECONDS);
        System.out.printf("%-16s %s%n", p.name(), kill ? "killed (SIGKILL)" : "stopped");
      } catch (java.util.concurrent.TimeoutException ex) {
        h.destroyForcibly();
        System.out.printf("%-16s killed after %d s%n", p.name(), graceSeconds);
      }
      Files.deleteIfExists(pidFile(p));
    }
  }

  Optional<ProcessHandle> process(Topology.Pod s) {
    try {
      Path pid = pidFile(s);
      if (!Files.exists(pid)) {
        return Optional.empty();
      }
      return ProcessHandle.of(Long.parseLong(Files.readString(pid).trim()))
          .filter(ProcessHandle::isAlive);
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /**
   * Health of a port: SERVING, NOT_SERVING, or a short description of why it could not be asked.
   */
  static String health(String host, int port) {
    ManagedChannel ch = NettyChannelBuilder.forAddress(host, port).usePlaintext().build();
    try {
      ServingStatus s =
          HealthGrpc.newBlockingStub(ch)
              .withDeadlineAfter(1, TimeUnit.SECONDS)
              .check(HealthCheckRequest.getDefaultInstance())
              .getStatus();
      return s.name();
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode().name();
    } finally {
      ch.shutdownNow();
    }
  }

  @Command(
      name = "start",
      mixinStandardHelpOptions = true,
      description = "Starts every service and waits for SERVING.")
  static final class Start implements Callable<Integer> {
    @CommandLine.ParentCommand LocalCluster cluster;

    @Option(
        names = "--world-items",
        defaultValue = "200000",
        description = "Items in the demo world (default: ${DEFAULT-VALUE}).")
    int items;

    @Option(
        names = "--world-users",
        defaultValue = "50000",
        description = "Users in the demo world (default: ${DEFAULT-VALUE}).")
    int users;

    @Option(
        names = "--snapshot-root",
        description =
            "Serve this snapshot root instead of the demo world's (built when"
                + " missing at .cluster/snapshots/demo-s<seed>-i<items>-u<users>).")
    Path snapshotRoot;

    @Option(
        names = "--world-seed",
        defaultValue = "42",
        description = "Seed of the demo world (default: ${DEFAULT-VALUE}).")
    long seed;

    // Why the GC flags: with G1's default 200 ms pause goal the services' young pauses reached
    // 100-170 ms at 1M
    // items, each one the tail of every request in flight; a 10 ms goal kept steady pauses at 4-20
    // ms
    // (docs/benchmarks.md). The metaspace floor avoids the full collection its first growth
    // otherwise causes.
    @Option(
        names = "--jvm-opts",
        defaultValue =
            "-Xms256m -Xmx1g -XX:+UseG1GC -XX:MaxGCPauseMillis=10 -XX:MetaspaceSize=128m",
        description = "JVM options for every service (default: ${DEFAULT-VALUE}).")
    String jvmOpts;

    @Option(
        names = "--java",
        defaultValue = "${env:CLUSTER_JAVA:-auto}",
        description =
            "The JDK of the services: auto (the newest JDK 21+ in $RANKING_JAVA_HOME, $JAVA_HOME,"
                + " /usr/lib/jvm, /opt/java or SDKMAN, else this launcher's), current (this"
                + " launcher's), or a JDK home. 21+ switches on the vector module, 25+ the AOT"
                + " cache (default: ${DEFAULT-VALUE}; env CLUSTER_JAVA).")
    String javaChoice;

    @Option(
        names = "--timeout-seconds",
        defaultValue = "180",
        description = "Give up waiting for SERVING after this (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(
        names = "--shards",
        defaultValue = "1",
        description = "Pod layout: recall shards (default: ${DEFAULT-VALUE}).")
    int shards;

    @Option(
        names = "--replicas",
        defaultValue = "1",
        description = "Pod layout: replicas per recall shard (default: ${DEFAULT-VALUE}).")
    int replicas;

    @Option(
        names = "--prerank",
        defaultValue = "1",
        description = "Pod layout: prerank pods (default: ${DEFAULT-VALUE}).")
    int preranks;

    @Option(
        names = "--rank",
        defaultValue = "1",
        description = "Pod layout: rank pods (default: ${DEFAULT-VALUE}).")
    int ranks;

    @Option(
        names = "--mixers",
        defaultValue = "1",
        description = "Pod layout: mixer pods (default: ${DEFAULT-VALUE}).")
    int mixers;

    @Option(
        names = "--pods",
        description =
            "Use the pod layout (127.0.0.2, ...) even with one process per service; any"
                + " count above 1 implies it.")
    boolean podLayout;

    @Override
    public Integer call() throws Exception {
      Files.createDirectories(cluster.runDir().resolve("logs"));
      for (int n : new int[] {shards, replicas, preranks, ranks, mixers}) {
        if (n < 1 || n > 16) {
          System.err.println(
              "--shards, --replicas, --prerank, --rank and --mixers must be in [1, 16]");
          return 2;
        }
      }
      boolean pods =
          podLayout || shards > 1 || replicas > 1 || preranks > 1 || ranks > 1 || mixers > 1;
      JavaRuntime runtime;
      try {
        runtime = JavaRuntime.choose(javaChoice, System.getenv(), JavaRuntime.defaultSearchRoots());
      } catch (IllegalArgumentException e) {
        System.err.println(e.getMessage());
        return 2;
      }
      Topology running = cluster.topology();
      boolean anyRunning = running.pods().stream().anyMatch(p -> cluster.process(p).isPresent());
      Topology t;
      if (anyRunning) {
        t = running; // start what is missing of the running cluster
        System.out.println(
            "cluster already running ("
                + running.pods().size()
                + " pods): starting what is not running");
      } else if (pods) {
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        t =
            Topology.pods(
                shards,
                replicas,
                preranks,
                ranks,
                mixers,
                java.util.Base64.getEncoder().encodeToString(key));
      } else {
        t = Topology.single();
      }
      Path root =
          snapshotRoot != null
              ? snapshotRoot
              : cluster
                  .runDir()
                  .resolve("snapshots")
                  .resolve("demo-s" + seed + "-i" + items + "-u" + users);
      if (!anyRunning) {
        if (!Files.exists(root.resolve("CURRENT"))) {
          if (snapshotRoot != null) {
            System.err.println("no snapshot at " + snapshotRoot + " (no CURRENT file)");
            return 1;
          }
          // First start on this world: build its snapshot once; later starts reuse it.
          Path offline = cluster.root.resolve("offline").resolve("target").resolve("offline.jar");
          System.out.println(
              "building the demo snapshot (once; later starts reuse it) into " + root);
          List<String> build =
              new ArrayList<>(
                  List.of(
                      JAVA,
                      "-Xmx6g",
                      "-jar",
                      offline.toString(),
                      "build-snapshot",
                      "--root=" + root,
                      "--items=" + items,
                      "--users=" + users,
                      "--seed=" + seed));
          int code = new ProcessBuilder(build).inheritIO().start().waitFor();
          if (code != 0) {
            System.err.println("snapshot build failed (exit " + code + ")");
            return 1;
          }
        } else {
          System.out.println(
              "serving the snapshot at "
                  + root
                  + " ("
                  + Files.readString(root.resolve("CURRENT")).trim()
                  + ")");
        }
        // The admin API's bearer token for this cluster (fault rules, snapshot pin and reload):
        // readable by this
        // user only, so that the chaos command and an operator can use AdminService and nobody else
        // can.
        Path token = cluster.adminTokenFile();
        byte[] secret = new byte[24];
        new java.security.SecureRandom().nextBytes(secret);
        Files.deleteIfExists(token);
        Files.createFile(
            token,
            java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        Files.writeString(token, java.util.HexFormat.of().formatHex(secret));
        // Every pod's own command line, saved so that stop, kill and restart can act on one pod
        // later.
        List<Topology.Pod> withArgs = new ArrayList<>();
        Path blend = cluster.root.resolve("config").resolve("blend.json");
        for (Topology.Pod p : t.pods()) {
          List<String> args = new ArrayList<>(p.args());
          args.add("--snapshot-root=" + root.toAbsolutePath());
          args.add("--admin-token-file=" + token.toAbsolutePath());
          if (p.service().equals("mixer-service") && Files.exists(blend)) {
            // The example rules of the repository: edit the file and the running mixer picks them
            // up.
            args.add("--blend-config=" + blend.toAbsolutePath());
          }
          withArgs.add(
              new Topology.Pod(p.name(), p.service(), p.host(), p.port(), List.copyOf(args)));
        }
        t = new Topology(List.copyOf(withArgs));
        t.save(cluster.topologyFile());
        Files.writeString(cluster.runDir().resolve("jvm-opts"), jvmOpts);
        Files.writeString(cluster.runDir().resolve("java"), runtime.home().toString());
        System.out.println("services run on " + runtime.describe());
      }
      // Stages first, all at once; the mixers last, since their warm-up calls the stages.
      for (boolean mixersWave : new boolean[] {false, true}) {
        List<Topology.Pod> started = new ArrayList<>();
        for (Topology.Pod p : t.startOrder()) {
          if (p.service().equals("mixer-service") != mixersWave) {
            continue;
          }
          if (cluster.process(p).isPresent()) {
            System.out.printf(
                "%-16s already running (pid %d)%n", p.name(), cluster.process(p).get().pid());
            continue;
          }
          long pid;
          try {
            pid = cluster.launch(p);
          } catch (IOException e) {
            System.err.println(e.getMessage());
            return 1;
          }
          System.out.printf(
              "%-16s started pid %d on %s (log %s)%n",
              p.name(),
              pid,
              p.address(),
              cluster.runDir().resolve("logs").resolve(p.name() + ".log"));
          started.add(p);
        }
        for (Topology.Pod p : started) {
          if (!cluster.awaitServing(p, timeoutSeconds)) {
            return 1;
          }
        }
      }
      System.out.println("cluster SERVING: mixer at " + t.mixerAddress());
      return 0;
    }
  }

  @Command(
      name = "stop",
      mixinStandardHelpOptions = true,
      description =
          "SIGTERM the named pods (or every pod, mixers first), wait for the drain, then kill.")
  static final class Stop implements Callable<Integer> {
    @CommandLine.ParentCommand LocalCluster cluster;

    @Option(
        names = "--grace-seconds",
        defaultValue = "30",
        description = "Wait this long before SIGKILL (default: ${DEFAULT-VALUE}).")
    int graceSeconds;

    @CommandLine.Parameters(
        arity = "0..*",
        paramLabel = "POD",
        description = "Pods to stop (default: all).")
    List<String> names;

    @Override
    public Integer call() throws Exception {
      Topology t = cluster.topology();
      List<Topology.Pod> chosen = cluster.select(t, names);
      // Mixers first, so that no request reaches a stage already draining; then the stages
      // together.
      for (boolean mixers : new boolean[] {true, false}) {
        cluster.stopAll(
            chosen.stream().filter(p -> p.service().equals("mixer-service") == mixers).toList(),
            false,
            graceSeconds);
      }
      if (names == null || names.isEmpty()) {
        Files.deleteIfExists(cluster.topologyFile()); // the next start chooses its layout afresh
      }
      return 0;
    }
  }

  @Command(
      name = "kill",
      mixinStandardHelpOptions = true,
      description = "SIGKILL the named pods (a crash, no drain).")
  static final class Kill implements Callable<Integer> {
    @CommandLine.ParentCommand LocalCluster cluster;

    @CommandLine.Parameters(arity = "1..*", paramLabel = "POD", description = "Pods to kill.")
    List<String> names;

    @Override
    public Integer call() throws Exception {
      cluster.stopAll(cluster.select(cluster.topology(), names), true, 0);
      return 0;
    }
  }

  @Command(
      name = "restart",
      mixinStandardHelpOptions = true,
      description =
          "Stops the named pods gracefully (if running), starts them again and waits for SERVING.")
  static final class Restart implements Callable<Integer> {
    @CommandLine.ParentCommand LocalCluster cluster;

    @Option(
        names = "--grace-seconds",
        defaultValue = "30",
        description = "Wait this long before SIGKILL (default: ${DEFAULT-VALUE}).")
    int graceSeconds;

    @Option(
        names = "--timeout-seconds",
        defaultValue = "180",
        description = "Give up waiting for SERVING after this (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @CommandLine.Parameters(arity = "1..*", paramLabel = "POD", description = "Pods to restart.")
    List<String> names;

    @Override
    public Integer call() throws Exception {
      for (Topology.Pod p : cluster.select(cluster.topology(), names)) {
        cluster.stop(p, false, graceSeconds);
        if (!cluster.startAndAwait(p, timeoutSeconds)) {
          return 1;
        }
      }
      return 0;
    }
  }

  @Command(
      name = "start-pod",
      mixinStandardHelpOptions = true,
      description = "Starts named pods that are not running.")
  static final class StartPod implements Callable<Integer> {
    @CommandLine.ParentCommand LocalCluster cluster;

    @Option(
        names = "--timeout-seconds",
        defaultValue = "180",
        description = "Give up waiting for SERVING after this (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @CommandLine.Parameters(arity = "1..*", paramLabel = "POD", description = "Pods to start.")
    List<String> names;

    @Override
    public Integer call() throws Exception {
      for (Topology.Pod p : cluster.select(cluster.topology(), names)) {
        if (cluster.process(p).isPresent()) {
          System.out.printf("%-16s already running%n", p.name());
          continue;
        }
        if (!cluster.startAndAwait(p, timeoutSeconds)) {
          return 1;
        }
      }
      return 0;
    }
  }

  @Command(
      name = "status",
      aliases = "pods",
      mixinStandardHelpOptions = true,
      description = "Every pod: process, address and health (exit 3 when one is not SERVING).")
  static final class StatusCmd implements Callable<Integer> {
    @CommandLine.ParentCommand LocalCluster cluster;

    @Override
    public Integer call() throws Exception {
      int notServing = 0;
      System.out.printf(
          "%-16s %-16s %-8s %-16s %s%n", "POD", "SERVICE", "PID", "ADDRESS", "HEALTH");
      for (Topology.Pod p : cluster.topology().pods()) {
        Optional<ProcessHandle> h = cluster.process(p);
        String health = h.isPresent() ? health(p.host(), p.port()) : "-";
        if (!"SERVING".equals(health)) {
          notServing++;
        }
        System.out.printf(
            "%-16s %-16s %-8s %-16s %s%n",
            p.name(),
            p.service(),
            h.map(x -> Long.toString(x.pid())).orElse("-"),
            p.address(),
            health);
      }
      return notServing == 0 ? 0 : 3;
    }
  }

  @Command(
      name = "feed",
      mixinStandardHelpOptions = true,
      description = "Prints a page of the feed for a user.")
  static final class Feed implements Callable<Integer> {
    @Option(
        names = "--user",
        defaultValue = "42",
        description = "User id (default: ${DEFAULT-VALUE}).")
    String user;

    @Option(
        names = "--page-size",
        defaultValue = "12",
        description = "Items per page (default: ${DEFAULT-VALUE}).")
    int pageSize;

    @Option(
        names = "--pages",
        defaultValue = "1",
        description = "Pages to fetch, following the page token (default: ${DEFAULT-VALUE}).")
    int pages;

    @CommandLine.ParentCommand LocalCluster cluster;

    @Option(
        names = "--target",
        description =
            "Mixer address (default: the cluster's first mixer, 127.0.0.1:9090 in the"
                + " single layout).")
    String target;

    @Option(
        names = "--deadline-ms",
        defaultValue = "1000",
        description = "Deadline per call (default: ${DEFAULT-VALUE}).")
    long deadlineMs;

    @Override
    public Integer call() throws IOException {
      if (target == null) {
        target = cluster.topology().mixerAddress();
      }
      ManagedChannel ch = NettyChannelBuilder.forTarget(target).usePlaintext().build();
      try {
        String token = "";
        for (int page = 1; page <= pages; page++) {
          RecommendResponse r =
              MixerServiceGrpc.newBlockingStub(ch)
                  .withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS)
                  .recommend(
                      RecommendRequest.newBuilder()
                          .setPageSize(pageSize)
                          .setPageToken(token)
                          .setContext(RequestContext.newBuilder().setUserId(user))
                          .build());
          print(page, r);
          token = r.getNextPageToken();
        }
        return 0;
      } catch (StatusRuntimeException e) {
        System.err.println("Recommend failed: " + e.getStatus());
        return 1;
      } finally {
        ch.shutdownNow();
      }
    }

    private void print(int page, RecommendResponse r) {
      System.out.printf(
          "%nFeed for user %s, page %d  (snapshot %s, prerank %s, rank %s)%s%n",
          user,
          page,
          r.getVersions().getSnapshotVersion(),
          r.getVersions().getPrerankModelVersion(),
          r.getVersions().getRankModelVersion(),
          r.getDegraded() ? "  DEGRADED: " + r.getDegradedReasonsList() : "");
      System.out.printf(
          "%3s  %-11s %-9s %-44s %9s %8s  %-30s %s%n",
          "#", "KIND", "ITEM", "TITLE", "PRICE", "VALUE", "CHANNELS", "RULE");
      for (FeedItem it : r.getItemsList()) {
        String kind = it.getKind().name().replace("ITEM_KIND_", "").toLowerCase(Locale.ROOT);
        StringBuilder ch = new StringBuilder();
        it.getChannelsList()
            .forEach(
                c ->
                    ch.append(ch.length() == 0 ? "" : ",")
                        .append(c.name().replace("RECALL_CHANNEL_", "").toLowerCase(Locale.ROOT)));
        String title =
            it.getTitle().length() > 44 ? it.getTitle().substring(0, 43) + "…" : it.getTitle();
        System.out.printf(
            "%3d  %-11s %-9s %-44s %9s %8.3f  %-30s %s%n",
            it.getPosition(),
            kind,
            Long.toUnsignedString(it.getItemId()),
            title,
            it.getPrice() > 0 ? String.format("%.2f", it.getPrice()) : "-",
            it.getValue(),
            ch,
            it.getPlacementRule());
      }
    }
  }
}
