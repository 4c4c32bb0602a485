package io.rankingcluster.offline;

import io.rankingcluster.core.embed.Embeddings;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * Implicit-feedback matrix factorisation (Hu, Koren and Volinsky 2008) solved by alternating least
 * squares with a few conjugate-gradient steps per row (Takacs, Pilaszy and Tikk 2011): confidence
 * {@code 1 + alpha * clicks}, preference 1 for clicked items and 0 for all others, L2
 * regularisation. Each half-step solves every row independently given the other side, so rows run
 * in parallel and the result is deterministic for a seed whatever the thread count.
 */
public final class ImplicitAls {
  /** Training settings. */
  public record Config(
      int dimension,
      int iterations,
      int cgSteps,
      float alpha,
      float lambda,
      long seed,
      int threads) {
    public Config {
      if (dimension < 1
          || iterations < 1
          || cgSteps < 1
          || !(alpha > 0)
          || !(lambda > 0)
          || threads < 1) {
        throw new IllegalArgumentException(
            "ALS: dimension, iterations, cgSteps, threads >= 1 and alpha, lambda > 0");
      }
    }

    public static Config defaults(long seed) {
      return new Config(64, 8, 3, 10f, 1f, seed, Runtime.getRuntime().availableProcessors());
    }
  }

  /**
   * The learned factors: user vectors aligned with user rows, item embeddings with catalog rows.
   */
  public record Factors(Embeddings users, Embeddings items) {}

  /** Progress callback: iteration finished (1-based) of total. */
  public interface Progress {
    void iteration(int done, int total);
  }

  public static Factors train(Interactions data, Config config, Progress progress) {
    int d = config.dimension();
    float[] x = init(data.users, d, new SplittableRandom(config.seed()));
    float[] y = init(data.items, d, new SplittableRandom(config.seed() ^ 0x9E3779B97F4A7C15L));
    ForkJoinPool pool = new ForkJoinPool(config.threads());
    try {
      for (int it = 0; it < config.iterations(); it++) {
        solveSide(
            pool, x, y, data.users, data.userOffsets, data.userItems, data.userCounts, config);
        solveSide(
            pool, y, x, data.items, data.itemOffsets, data.itemUsers, data.itemCounts, config);
        if (progress != null) {
          progress.iteration(it + 1, config.iterations());
        }
      }
    } finally {
      pool.shutdown();
    }
    return new Factors(new Embeddings(data.users, d, x), new Embeddings(data.items, d, y));
  }

  private static float[] init(int rows, int d, SplittableRandom rnd) {
    float[] v = new float[rows * d];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) ((rnd.nextDouble() - 0.5) * 0.02);
    }
    return v;
  }

  /** Updates every row of {@code target} given the fixed {@code other} side. */
  private static void solveSide(
      ForkJoinPool pool,
      float[] target,
      float[] other,
      int rows,
      int[] offsets,
      int[] cols,
      float[] counts,
      Config c) {
    int d = c.dimension();
    double[] gram = gram(other, d); // sum over all rows of other: o o^T
    IntConsumer solveRow = r -> solveRow(r, target, other, offsets, cols, counts, gram, c);
    pool.submit(() -> IntStream.range(0, rows).parallel().forEach(solveRow)).join();
  }

  private static double[] gram(float[] v, int d) {
    double[] g = new double[d * d];
    int rows = v.length / d;
    for (int r = 0; r < rows; r++) {
      int o = r * d;
      for (int a = 0; a < d; a++) {
        double va = v[o + a];
        if (va == 0) {
          continue;
        }
        int ga = a * d;
        for (int b = a; b < d; b++) {
          g[ga + b] += va * v[o + b];
        }
      }
    }
    for (int a = 0; a < d; a++) {
      for (int b = 0; b < a; b++) {
        g[a * d + b] = g[b * d + a];
      }
    }
    return g;
  }

  /**
   * Conjugate gradient on (G + sum (c-1) y y^T + lambda I) x = sum c y, warm-started from the
   * current row.
   */
  private static void solveRow(
      int r,
      float[] target,
      float[] other,
      int[] offsets,
      int[] cols,
      float[] counts,
      double[] gram,
      Config c) {
    int d = c.dimension();
    int o = r * d;
    if (offsets[r] == offsets[r + 1]) {
      // No interactions: the system's right-hand side is 0, so is its solution (no need to
      // iterate).
      java.util.Arrays.fill(target, o, o + d, 0f);
      return;
    }
    double[] xr = new double[d];
    for (int k = 0; k < d; k++) {
      xr[k] = target[o + k];
    }
    double[] res = new double[d];
    // res = b - A x
    multiply(xr, res, other, offsets[r], offsets[r + 1], cols, counts, gram, c);
    for (int k = 0; k < d; k++) {
      res[k] = -res[k];
    }
    for (int e = offsets[r]; e < offsets[r + 1]; e++) {
      double conf = 1 + c.alpha() * counts[e];
      int oy = cols[e] * d;
      for (int k = 0; k < d; k++) {
        res[k] += conf * other[oy + k];
      }
    }
    double[] p = res.clone();
    double rsOld = dot(res, res);
    double[] ap = new double[d];
    for (int step = 0; step < c.cgSteps() && rsOld > 1e-12; step++) {
      multiply(p, ap, other, offsets[r], offsets[r + 1], cols, counts, gram, c);
      double alpha = rsOld / dot(p, ap);
      for (int k = 0; k < d; k++) {
        xr[k] += alpha * p[k];
        res[k] -= alpha * ap[k];
      }
      double rsNew = dot(res, res);
      double beta = rsNew / rsOld;
      for (int k = 0; k < d; k++) {
        p[k] = res[k] + beta * p[k];
      }
      rsOld = rsNew;
    }
    for (int k = 0; k < d; k++) {
      target[o + k] = (float) xr[k];
    }
  }

  /** out = (G + sum (c-1) y y^T + lambda I) v over the row's interactions. */
  private static void multiply(
      double[] v,
      double[] out,
      float[] other,
      int from,
      int to,
      int[] cols,
      float[] counts,
      double[] gram,
      Config c) {
    int d = v.length;
    for (int a = 0; a < d; a++) {
      double s = 0;
      int ga = a * d;
      for (int b = 0; b < d; b++) {
        s += gram[ga + b] * v[b];
      }
      out[a] = s + c.lambda() * v[a];
    }
    for (int e = from; e < to; e++) {
      int oy = cols[e] * d;
      double yv = 0;
      for (int k = 0; k < d; k++) {
        yv += other[oy + k] * v[k];
      }
      double w = c.alpha() * counts[e] * yv;
      for (int k = 0; k < d; k++) {
        out[k] += w * other[oy + k];
      }
    }
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int k = 0; k < a.length; k++) {
      s += a[k] * b[k];
    }
    return s;
  }
}
