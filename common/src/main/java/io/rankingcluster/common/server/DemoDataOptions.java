package io.rankingcluster.common.server;

import picocli.CommandLine.Option;

/**
 * Which demo world a service generates at start. Every service of a cluster must use the same values,
 * so that they all see the same catalog and users (the launcher passes them to each process).
 */
public final class DemoDataOptions {
  @Option(names = "--world-seed", defaultValue = "42", description = "Seed of the demo world (default: ${DEFAULT-VALUE}).")
  public long seed;

  @Option(names = "--world-items", defaultValue = "20000",
      description = "Items in the demo world (default: ${DEFAULT-VALUE}).")
  public int items;

  @Option(names = "--world-users", defaultValue = "5000",
      description = "Users in the demo world, named \"1\"..\"N\" (default: ${DEFAULT-VALUE}).")
  public int users;

  @Option(names = "--world-impressions-per-user", defaultValue = "60",
      description = "Mean simulated impressions per user (default: ${DEFAULT-VALUE}).")
  public int impressionsPerUser;

  /** Validates the options and generates the world they describe (deterministic). */
  public io.rankingcluster.core.world.DemoWorld generate() {
    validate();
    long t0 = System.nanoTime();
    var world = io.rankingcluster.core.world.DemoWorld.generate(
        new io.rankingcluster.core.world.DemoWorld.Spec(seed, items, users, impressionsPerUser));
    java.util.logging.Logger.getLogger(DemoDataOptions.class.getName()).info(() -> String.format(
        "demo world seed=%d items=%d users=%d generated in %.0f ms", seed, items, users, (System.nanoTime() - t0) / 1e6));
    return world;
  }

  /** The version string services report for this world, e.g. "demo-s42-i20000-u5000". */
  public String version() {
    return "demo-s" + seed + "-i" + items + "-u" + users;
  }

  public void validate() {
    Validation.require(items >= 100 && items <= 50_000_000, "--world-items must be in [100, 50000000], was " + items);
    Validation.require(users >= 1 && users <= 50_000_000, "--world-users must be in [1, 50000000], was " + users);
    Validation.require(impressionsPerUser >= 1 && impressionsPerUser <= 10_000,
        "--world-impressions-per-user must be in [1, 10000], was " + impressionsPerUser);
  }
}
