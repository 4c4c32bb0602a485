package io.rankingcluster.common.cluster;

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
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The local cluster launcher: one process per service on loopback, pid files and logs under
 * {@code .cluster/}, {@code start} returns once every service reports SERVING; {@code stop}, {@code status}
 * and {@code feed} (print a page for a user).
 */
@Command(name = "cluster", mixinStandardHelpOptions = true,
    description = "Starts, stops and inspects the local ranking cluster (one process per service on 127.0.0.1).",
    subcommands = {LocalCluster.Start.class, LocalCluster.Stop.class, LocalCluster.StatusCmd.class, LocalCluster.Feed.class})
public final class LocalCluster implements Callable<Integer> {
  /** A service process: module name (= jar = pid file = log), gRPC port. */
  record Service(String name, int port) {}

  static final List<Service> SERVICES = List.of(new Service("recall-service", 9091), new Service("prerank-service", 9092),
      new Service("rank-service", 9093), new Service("mixer-service", 9090));

  @Option(names = "--root", defaultValue = ".", description = "Project root holding the built modules (default: ${DEFAULT-VALUE}).")
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

  Path pidFile(Service s) {
    return runDir().resolve(s.name() + ".pid");
  }

  Optional<ProcessHandle> process(Service s) {
    try {
      Path pid = pidFile(s);
      if (!Files.exists(pid)) {
        return Optional.empty();
      }
      return ProcessHandle.of(Long.parseLong(Files.readString(pid).trim())).filter(ProcessHandle::isAlive);
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** Health of a port: SERVING, NOT_SERVING, or a short description of why it could not be asked. */
  static String health(String host, int port) {
    ManagedChannel ch = NettyChannelBuilder.forAddress(host, port).usePlaintext().build();
    try {
      ServingStatus s = HealthGrpc.newBlockingStub(ch).withDeadlineAfter(1, TimeUnit.SECONDS)
          .check(HealthCheckRequest.getDefaultInstance()).getStatus();
      return s.name();
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode().name();
    } finally {
      ch.shutdownNow();
    }
  }

  @Command(name = "start", mixinStandardHelpOptions = true, description = "Starts every service and waits for SERVING.")
  static final class Start implements Callable<Integer> {
    @CommandLine.ParentCommand LocalCluster cluster;

    @Option(names = "--world-items", defaultValue = "200000", description = "Items in the demo world (default: ${DEFAULT-VALUE}).")
    int items;

    @Option(names = "--world-users", defaultValue = "50000", description = "Users in the demo world (default: ${DEFAULT-VALUE}).")
    int users;

    @Option(names = "--snapshot-root", description = "Serve this snapshot root instead of the demo world's (built when"
        + " missing at .cluster/snapshots/demo-s<seed>-i<items>-u<users>).")
    Path snapshotRoot;

    @Option(names = "--world-seed", defaultValue = "42", description = "Seed of the demo world (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--jvm-opts", defaultValue = "-Xms256m -Xmx1g",
        description = "JVM options for every service (default: ${DEFAULT-VALUE}).")
    String jvmOpts;

    @Option(names = "--timeout-seconds", defaultValue = "180", description = "Give up waiting for SERVING after this (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Override
    public Integer call() throws Exception {
      Files.createDirectories(cluster.runDir().resolve("logs"));
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Path root = snapshotRoot != null ? snapshotRoot
          : cluster.runDir().resolve("snapshots").resolve("demo-s" + seed + "-i" + items + "-u" + users);
      if (!Files.exists(root.resolve("CURRENT"))) {
        if (snapshotRoot != null) {
          System.err.println("no snapshot at " + snapshotRoot + " (no CURRENT file)");
          return 1;
        }
        // First start on this world: build its snapshot once; later starts reuse it.
        Path offline = cluster.root.resolve("offline").resolve("target").resolve("offline.jar");
        System.out.println("building the demo snapshot (once; later starts reuse it) into " + root);
        List<String> build = new ArrayList<>(List.of(java, "-Xmx6g", "-jar", offline.toString(), "build-snapshot",
            "--root=" + root, "--items=" + items, "--users=" + users, "--seed=" + seed));
        int code = new ProcessBuilder(build).inheritIO().start().waitFor();
        if (code != 0) {
          System.err.println("snapshot build failed (exit " + code + ")");
          return 1;
        }
      } else {
        System.out.println("serving the snapshot at " + root + " (" + Files.readString(root.resolve("CURRENT")).trim() + ")");
      }
      List<String> world = List.of("--snapshot-root=" + root.toAbsolutePath());
      // Stages first, all at once; the mixer last, since its warm-up calls them.
      for (int wave = 0; wave < 2; wave++) {
        List<Service> started = new ArrayList<>();
        for (Service s : SERVICES) {
          if ((wave == 1) != s.name().equals("mixer-service")) {
            continue;
          }
          if (cluster.process(s).isPresent()) {
            System.out.printf("%-16s already running (pid %d)%n", s.name(), cluster.process(s).get().pid());
            continue;
          }
          Path jar = cluster.root.resolve(s.name()).resolve("target").resolve(s.name() + ".jar");
          if (!Files.exists(jar)) {
            System.err.println("missing " + jar + ": build first with `mvn -DskipTests package`");
            return 1;
          }
          List<String> cmd = new ArrayList<>();
          cmd.add(java);
          cmd.addAll(List.of(jvmOpts.trim().split("\\s+")));
          cmd.addAll(List.of("-jar", jar.toString(), "--port=" + s.port()));
          cmd.addAll(world);
          Path blend = cluster.root.resolve("config").resolve("blend.json");
          if (s.name().equals("mixer-service") && Files.exists(blend)) {
            // The example rules of the repository: edit the file and the running mixer picks them up.
            cmd.add("--blend-config=" + blend.toAbsolutePath());
          }
          Path log = cluster.runDir().resolve("logs").resolve(s.name() + ".log");
          Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
          Files.writeString(cluster.pidFile(s), Long.toString(p.pid()));
          System.out.printf("%-16s started pid %d on 127.0.0.1:%d (log %s)%n", s.name(), p.pid(), s.port(), log);
          started.add(s);
        }
        for (Service s : started) {
          if (!awaitServing(s)) {
            System.err.printf("%s did not report SERVING within %d s; see %s%n", s.name(), timeoutSeconds,
                cluster.runDir().resolve("logs").resolve(s.name() + ".log"));
            return 1;
          }
        }
      }
      System.out.println("cluster SERVING: mixer at 127.0.0.1:9090");
      return 0;
    }

    private boolean awaitServing(Service s) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
      while (System.nanoTime() < deadline) {
        if (cluster.process(s).isEmpty()) {
          System.err.println(s.name() + " exited during start");
          return false;
        }
        if ("SERVING".equals(health("127.0.0.1", s.port()))) {
          long startedAt = cluster.process(s).flatMap(h -> h.info().startInstant()).map(java.time.Instant::toEpochMilli)
              .orElse(System.currentTimeMillis());
          System.out.printf("%-16s SERVING %.1f s after its process started%n", s.name(),
              (System.currentTimeMillis() - startedAt) / 1000.0);
          return true;
        }
        TimeUnit.MILLISECONDS.sleep(200); // poll interval while a process loads and warms
      }
      return false;
    }
  }

  @Command(name = "stop", mixinStandardHelpOptions = true, description = "SIGTERM every service, wait for the drain, then kill.")
  static final class Stop implements Callable<Integer> {
    @CommandLine.ParentCommand LocalCluster cluster;

    @Option(names = "--grace-seconds", defaultValue = "30", description = "Wait this long before SIGKILL (default: ${DEFAULT-VALUE}).")
    int graceSeconds;

    @Override
    public Integer call() throws Exception {
      // Mixer first, so no new work reaches the stages while they drain.
      List<Service> order = new ArrayList<>(SERVICES);
      java.util.Collections.reverse(order);
      for (Service s : order) {
        Optional<ProcessHandle> p = cluster.process(s);
        if (p.isEmpty()) {
          System.out.printf("%-16s not running%n", s.name());
        } else {
          p.get().destroy();
          try {
            p.get().onExit().get(graceSeconds, TimeUnit.SECONDS);
            System.out.printf("%-16s stopped%n", s.name());
          } catch (java.util.concurrent.TimeoutException e) {
            p.get().destroyForcibly();
            System.out.printf("%-16s killed after %d s%n", s.name(), graceSeconds);
          }
        }
        Files.deleteIfExists(cluster.pidFile(s));
      }
      return 0;
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true, description = "Process and health of every service.")
  static final class StatusCmd implements Callable<Integer> {
    @CommandLine.ParentCommand LocalCluster cluster;

    @Override
    public Integer call() {
      int notServing = 0;
      System.out.printf("%-16s %-8s %-16s %s%n", "SERVICE", "PID", "ADDRESS", "HEALTH");
      for (Service s : SERVICES) {
        Optional<ProcessHandle> p = cluster.process(s);
        String health = p.isPresent() ? health("127.0.0.1", s.port()) : "-";
        if (!"SERVING".equals(health)) {
          notServing++;
        }
        System.out.printf("%-16s %-8s %-16s %s%n", s.name(), p.map(h -> Long.toString(h.pid())).orElse("-"),
            "127.0.0.1:" + s.port(), health);
      }
      return notServing == 0 ? 0 : 3;
    }
  }

  @Command(name = "feed", mixinStandardHelpOptions = true, description = "Prints a page of the feed for a user.")
  static final class Feed implements Callable<Integer> {
    @Option(names = "--user", defaultValue = "42", description = "User id (default: ${DEFAULT-VALUE}).")
    String user;

    @Option(names = "--page-size", defaultValue = "12", description = "Items per page (default: ${DEFAULT-VALUE}).")
    int pageSize;

    @Option(names = "--pages", defaultValue = "1", description = "Pages to fetch, following the page token (default: ${DEFAULT-VALUE}).")
    int pages;

    @Option(names = "--target", defaultValue = "127.0.0.1:9090", description = "Mixer address (default: ${DEFAULT-VALUE}).")
    String target;

    @Option(names = "--deadline-ms", defaultValue = "1000", description = "Deadline per call (default: ${DEFAULT-VALUE}).")
    long deadlineMs;

    @Override
    public Integer call() {
      ManagedChannel ch = NettyChannelBuilder.forTarget(target).usePlaintext().build();
      try {
        String token = "";
        for (int page = 1; page <= pages; page++) {
          RecommendResponse r = MixerServiceGrpc.newBlockingStub(ch).withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS)
              .recommend(RecommendRequest.newBuilder().setPageSize(pageSize).setPageToken(token)
                  .setContext(RequestContext.newBuilder().setUserId(user)).build());
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
      System.out.printf("%nFeed for user %s, page %d  (snapshot %s, prerank %s, rank %s)%s%n", user, page,
          r.getVersions().getSnapshotVersion(), r.getVersions().getPrerankModelVersion(),
          r.getVersions().getRankModelVersion(), r.getDegraded() ? "  DEGRADED: " + r.getDegradedReasonsList() : "");
      System.out.printf("%3s  %-11s %-9s %-44s %9s %8s  %-30s %s%n", "#", "KIND", "ITEM", "TITLE", "PRICE", "VALUE",
          "CHANNELS", "RULE");
      for (FeedItem it : r.getItemsList()) {
        String kind = it.getKind().name().replace("ITEM_KIND_", "").toLowerCase(Locale.ROOT);
        StringBuilder ch = new StringBuilder();
        it.getChannelsList().forEach(c -> ch.append(ch.length() == 0 ? "" : ",")
            .append(c.name().replace("RECALL_CHANNEL_", "").toLowerCase(Locale.ROOT)));
        String title = it.getTitle().length() > 44 ? it.getTitle().substring(0, 43) + "…" : it.getTitle();
        System.out.printf("%3d  %-11s %-9s %-44s %9s %8.3f  %-30s %s%n", it.getPosition(), kind,
            Long.toUnsignedString(it.getItemId()), title, it.getPrice() > 0 ? String.format("%.2f", it.getPrice()) : "-",
            it.getValue(), ch, it.getPlacementRule());
      }
    }
  }
}
