package io.rankingcluster.core.experiment;

import io.rankingcluster.core.ShardFunction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Assigns users to experiment arms by a stable hash: the same user always lands in the same arm for
 * the same experiment (salt), independently of other experiments, and arms receive their configured
 * shares of users. The mixer decides once per request and passes the arm down, so every stage of
 * one request serves the same arm.
 *
 * <p>Bucket: {@code mix64(fnv1a64(salt + ":" + userId)) mod 10000}; arms own consecutive bucket
 * ranges in configuration order.
 */
public final class ExperimentRouter {
  /** Buckets per experiment: shares are resolved to 0.01%. */
  public static final int BUCKETS = 10_000;

  /**
   * An arm: its name and what it serves (model versions, blend configuration), opaque to the
   * router.
   */
  public record Arm(String name, double share, Map<String, String> settings) {}

  private final String salt;
  private final List<Arm> arms;
  private final int[] upperBucket;

  /** Shares must be positive and sum to 1 (within 1e-6); names unique and non-empty. */
  public ExperimentRouter(String salt, List<Arm> arms) {
    if (arms.isEmpty()) {
      throw new IllegalArgumentException("experiment '" + salt + "' needs at least one arm");
    }
    double sum = 0;
    List<String> names = new ArrayList<>();
    for (Arm a : arms) {
      if (a.name() == null || a.name().isBlank()) {
        throw new IllegalArgumentException("experiment '" + salt + "': an arm has no name");
      }
      if (names.contains(a.name())) {
        throw new IllegalArgumentException(
            "experiment '" + salt + "': arm '" + a.name() + "' listed twice");
      }
      if (!(a.share() > 0)) {
        throw new IllegalArgumentException(
            "experiment '" + salt + "': arm '" + a.name() + "' needs a share > 0");
      }
      names.add(a.name());
      sum += a.share();
    }
    if (Math.abs(sum - 1) > 1e-6) {
      throw new IllegalArgumentException(
          "experiment '" + salt + "': arm shares sum to " + sum + ", not 1");
    }
    this.salt = salt;
    this.arms = List.copyOf(arms);
    this.upperBucket = new int[arms.size()];
    double cumulative = 0;
    for (int i = 0; i < arms.size(); i++) {
      cumulative += arms.get(i).share();
      upperBucket[i] = i == arms.size() - 1 ? BUCKETS : (int) Math.round(cumulative * BUCKETS);
    }
  }

  /** The user's bucket in [0, BUCKETS). */
  public int bucket(String userId) {
    byte[] bytes = (salt + ":" + userId).getBytes(StandardCharsets.UTF_8);
    long h = 0xcbf29ce484222325L; // FNV-1a 64
    for (byte b : bytes) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return (int) Long.remainderUnsigned(ShardFunction.mix64(h), BUCKETS);
  }

  /** The arm serving this user. */
  public Arm arm(String userId) {
    int b = bucket(userId);
    for (int i = 0; i < upperBucket.length; i++) {
      if (b < upperBucket[i]) {
        return arms.get(i);
      }
    }
    return arms.get(arms.size() - 1);
  }

  /**
   * The arm with this name, or null: a request forcing an unknown arm is answered NOT_FOUND by the
   * service.
   */
  public Arm byName(String name) {
    for (Arm a : arms) {
      if (a.name().equals(name)) {
        return a;
      }
    }
    return null;
  }

  public List<Arm> arms() {
    return arms;
  }
}
