package io.rankingcluster.prerank;

import io.rankingcluster.common.server.ServiceMain;
import io.rankingcluster.common.server.Validation;

/**
 * Prerank's settings, immutable and validated: the default survivors per kind, the largest K a
 * request may ask, and the most candidates per request. Built from the flags ({@link
 * PrerankOptions#config()}) or from flag strings.
 */
public record PrerankConfig(int[] topK, int maxTopK, int maxCandidates) {
  public PrerankConfig {
    Validation.require(
        topK.length == 3, "--top-k needs three numbers (products,videos,live streams)");
    for (int k : topK) {
      Validation.require(
          k >= 0 && k <= maxTopK,
          "--top-k entries must be in [0, --max-top-k=" + maxTopK + "], got " + k);
    }
    Validation.require(maxCandidates >= 1, "--max-candidates must be >= 1, was " + maxCandidates);
    topK = topK.clone();
  }

  /** A copy: the record stays immutable. */
  @Override
  public int[] topK() {
    return topK.clone();
  }

  public static PrerankConfig parse(String... flags) {
    return ServiceMain.parse(new PrerankOptions(), flags).config();
  }
}
