package io.rankingcluster.prerank;

import picocli.CommandLine.Option;

/**
 * Prerank's own flags (a picocli mixin); {@link #config()} makes them a validated {@link
 * PrerankConfig}.
 */
public final class PrerankOptions {
  @Option(
      names = "--top-k",
      split = ",",
      defaultValue = "250,110,40",
      description =
          "Default survivors per kind: products,videos,live streams (default: ${DEFAULT-VALUE}).")
  public int[] topK;

  @Option(
      names = "--max-top-k",
      defaultValue = "2000",
      description = "Largest K a request may ask for (default: ${DEFAULT-VALUE}).")
  public int maxTopK;

  @Option(
      names = "--max-candidates",
      defaultValue = "20000",
      description = "Most candidates per request (default: ${DEFAULT-VALUE}).")
  public int maxCandidates;

  public PrerankConfig config() {
    return new PrerankConfig(topK, maxTopK, maxCandidates);
  }
}
