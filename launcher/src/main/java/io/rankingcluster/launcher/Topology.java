package io.rankingcluster.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The processes of a local cluster ("pods"): each a service with its own loopback address on the
 * service's standard port. The single layout runs one process per service on 127.0.0.1 (pod name =
 * service name); the pod layout runs N recall shards x R replicas, P prerank, K rank and M mixer
 * pods on 127.0.0.2, 127.0.0.3, ... (the whole 127.0.0.0/8 is local on Linux), named recall-0-a,
 * recall-0-b, ..., prerank-a, rank-a, mixer-a. Saved in .cluster/topology.tsv so that later
 * commands can stop, kill or restart one pod with its command line.
 */
public record Topology(List<Pod> pods) {
  /** One process: name (= pid file = log), module (= jar), address, port, and its own arguments. */
  public record Pod(String name, String service, String host, int port, List<String> args) {
    public String address() {
      return host + ":" + port;
    }
  }

  static final int MIXER = 9090;
  static final int RECALL = 9091;
  static final int PRERANK = 9092;
  static final int RANK = 9093;

  /** One process per service on 127.0.0.1: what `./cluster start` runs by default. */
  public static Topology single() {
    return new Topology(
        List.of(
            new Pod("recall-service", "recall-service", "127.0.0.1", RECALL, List.of()),
            new Pod("prerank-service", "prerank-service", "127.0.0.1", PRERANK, List.of()),
            new Pod("rank-service", "rank-service", "127.0.0.1", RANK, List.of()),
            new Pod("mixer-service", "mixer-service", "127.0.0.1", MIXER, List.of())));
  }

  /**
   * The pod layout. Every mixer gets the replica lists of the stages and the same page-token key,
   * so that a page token from one mixer works on another.
   */
  public static Topology pods(
      int shards, int replicas, int preranks, int ranks, int mixers, String pageTokenKey) {
    List<Pod> pods = new ArrayList<>();
    int[] next = {2};
    List<String> shardTargets = new ArrayList<>();
    for (int s = 0; s < shards; s++) {
      List<String> addresses = new ArrayList<>();
      for (int r = 0; r < replicas; r++) {
        String host = "127.0.0." + next[0]++;
        pods.add(
            new Pod(
                "recall-" + s + "-" + letter(r),
                "recall-service",
                host,
                RECALL,
                List.of("--shard-index=" + s, "--shard-count=" + shards)));
        addresses.add(host + ":" + RECALL);
      }
      shardTargets.add(String.join("|", addresses));
    }
    List<String> prerankTargets =
        stage(pods, "prerank", "prerank-service", PRERANK, preranks, next);
    List<String> rankTargets = stage(pods, "rank", "rank-service", RANK, ranks, next);
    for (int m = 0; m < mixers; m++) {
      pods.add(
          new Pod(
              "mixer-" + letter(m),
              "mixer-service",
              "127.0.0." + next[0]++,
              MIXER,
              List.of(
                  "--recall-targets=" + String.join(",", shardTargets),
                  "--prerank-target=" + String.join("|", prerankTargets),
                  "--rank-target=" + String.join("|", rankTargets),
                  "--page-token-keys=1:" + pageTokenKey)));
    }
    if (next[0] > 255) {
      throw new IllegalArgumentException(
          "too many pods for 127.0.0.2..127.0.0.254: " + (next[0] - 2));
    }
    return new Topology(List.copyOf(pods));
  }

  private static List<String> stage(
      List<Pod> pods, String prefix, String service, int port, int n, int[] next) {
    List<String> targets = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String host = "127.0.0." + next[0]++;
      pods.add(new Pod(prefix + "-" + letter(i), service, host, port, List.of()));
      targets.add(host + ":" + port);
    }
    return targets;
  }

  private static String letter(int i) {
    return i < 26 ? String.valueOf((char) ('a' + i)) : "r" + i;
  }

  public Optional<Pod> pod(String name) {
    return pods.stream().filter(p -> p.name().equals(name)).findFirst();
  }

  /** The first mixer's address: where `./cluster feed` sends requests. */
  public String mixerAddress() {
    return pods.stream()
        .filter(p -> p.service().equals("mixer-service"))
        .findFirst()
        .map(Pod::address)
        .orElse("127.0.0.1:" + MIXER);
  }

  /** Stages first (in order), mixers last: the start order; stop goes the other way. */
  public List<Pod> startOrder() {
    List<Pod> out =
        new ArrayList<>(pods.stream().filter(p -> !p.service().equals("mixer-service")).toList());
    out.addAll(pods.stream().filter(p -> p.service().equals("mixer-service")).toList());
    return out;
  }

  void save(Path file) throws IOException {
    StringBuilder sb =
        new StringBuilder("# name\tservice\thost\tport\targs (separated by \\u001f)\n");
    for (Pod p : pods) {
      sb.append(p.name())
          .append('\t')
          .append(p.service())
          .append('\t')
          .append(p.host())
          .append('\t')
          .append(p.port())
          .append('\t')
          .append(String.join("\u001f", p.args()))
          .append('\n');
    }
    Files.writeString(file, sb.toString());
  }

  /** The saved topology, or the single layout when none was saved. */
  public static Topology load(Path file) throws IOException {
    if (!Files.exists(file)) {
      return single();
    }
    List<Pod> pods = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.split("\t", -1);
      List<String> args = f[4].isEmpty() ? List.of() : Arrays.asList(f[4].split("\u001f"));
      pods.add(new Pod(f[0], f[1], f[2], Integer.parseInt(f[3]), List.copyOf(args)));
    }
    return new Topology(List.copyOf(pods));
  }
}
