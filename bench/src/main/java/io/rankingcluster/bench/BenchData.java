package io.rankingcluster.bench;

import io.rankingcluster.core.embed.Embeddings;
import io.rankingcluster.core.snapshot.Manifest;
import io.rankingcluster.core.snapshot.SnapshotException;
import io.rankingcluster.core.snapshot.SnapshotReader;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;

/**
 * Item embeddings and query vectors for the ANN benchmarks: read straight from a snapshot's float
 * files (the benchmark needs nothing else, and skips the full checksum pass a service does), or
 * random.
 */
final class BenchData {
  final String label;
  final Embeddings items;

  /** Query vectors: user vectors from the snapshot (never in the index), or random ones. */
  final float[][] queries;

  private BenchData(String label, Embeddings items, float[][] queries) {
    this.label = label;
    this.items = items;
    this.queries = queries;
  }

  /**
   * The CURRENT version of a snapshot root: all item embeddings, and {@code queries} users drawn at
   * random (seeded) among those with a non-zero vector (a user without history has none, and every
   * item ties).
   */
  static BenchData snapshot(Path root, int queries, long seed)
      throws IOException, SnapshotException {
    String version = SnapshotReader.readCurrentName(root);
    Path dir = root.resolve(version);
    Manifest m = SnapshotReader.readManifest(dir);
    Manifest.Counts c = m.counts();
    Embeddings items =
        new Embeddings(
            c.items(),
            c.itemEmbeddingDim(),
            floats(dir.resolve("item_embeddings.f32"), (long) c.items() * c.itemEmbeddingDim()));
    Embeddings users =
        new Embeddings(
            c.users(),
            c.userVectorDim(),
            floats(dir.resolve("user_vectors.f32"), (long) c.users() * c.userVectorDim()));
    Random r = new Random(seed);
    float[][] q = new float[queries][];
    int n = 0;
    for (int attempts = 0; n < queries && attempts < 100 * queries; attempts++) {
      int u = r.nextInt(users.rows());
      float[] v = new float[users.dimension()];
      users.copyRow(u, v, 0);
      double norm = 0;
      for (float x : v) {
        norm += x * x;
      }
      if (norm > 0) {
        q[n++] = v;
      }
    }
    return new BenchData(version, items, java.util.Arrays.copyOf(q, n));
  }

  /** Standard normal items and queries. */
  static BenchData random(int rows, int dim, int queries, long seed) {
    Random r = new Random(seed);
    float[] data = new float[rows * dim];
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) r.nextGaussian();
    }
    float[][] q = new float[queries][dim];
    for (float[] v : q) {
      for (int k = 0; k < dim; k++) {
        v[k] = (float) r.nextGaussian();
      }
    }
    return new BenchData("random-" + rows + "x" + dim, new Embeddings(rows, dim, data), q);
  }

  private static float[] floats(Path file, long count) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      if (ch.size() != count * 4) {
        throw new IOException(file + ": " + ch.size() + " bytes, expected " + count * 4);
      }
      float[] out = new float[Math.toIntExact(count)];
      long window = 1L << 30;
      int at = 0;
      for (long pos = 0; pos < ch.size(); pos += window) {
        long len = Math.min(window, ch.size() - pos);
        FloatBuffer fb =
            ch.map(FileChannel.MapMode.READ_ONLY, pos, len)
                .order(ByteOrder.LITTLE_ENDIAN)
                .asFloatBuffer();
        int n = fb.remaining();
        fb.get(out, at, n);
        at += n;
      }
      return out;
    }
  }
}
