package io.rankingcluster.bench;

import com.github.jelmerk.hnswlib.core.DistanceFunctions;
import com.github.jelmerk.hnswlib.core.Item;
import com.github.jelmerk.hnswlib.core.SearchResult;
import io.rankingcluster.core.ann.HnswIndex;
import io.rankingcluster.core.ann.HnswIndexCache;
import io.rankingcluster.core.ann.RowFilter;
import io.rankingcluster.core.embed.Embeddings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The ANN implementations the benchmark compares, behind one small interface. */
final class AnnLibraries {
  private AnnLibraries() {}

  /** One ANN implementation under test. */
  interface Ann {
    String name();

    /** Builds (or loads from {@code cacheDir}, when given and supported) the index; returns a one-line note. */
    String build(Embeddings items, int m, int efConstruction, int threads, Path cacheDir) throws Exception;

    /** Top-k rows for {@code query} with candidate list {@code ef} into {@code out}; returns how many. */
    int search(float[] query, int k, int ef, int[] out);

    /** Saves to a file in {@code dir}, loads it back, and returns {bytes, load ms}; or null if not supported. */
    long[] saveAndLoad(Path dir) throws Exception;

    /** Exact bytes of the index structure beyond the vectors, when the implementation can tell; else -1. */
    long structureBytes();

    void close();
  }

  static Ann of(String name) {
    return switch (name) {
      case "lucene" -> new Lucene();
      case "hnswlib" -> new Hnswlib();
      default -> throw new IllegalArgumentException("unknown library '" + name + "' (lucene, hnswlib)");
    };
  }

  /** core's HnswIndex: Lucene 9.12's HnswGraphBuilder/HnswGraphSearcher over a compact graph. */
  static final class Lucene implements Ann {
    private HnswIndex index;
    private Embeddings items;
    private float[] scores = new float[0];

    @Override
    public String name() {
      return "lucene";
    }

    @Override
    public String build(Embeddings items, int m, int efConstruction, int threads, Path cacheDir) {
      this.items = items;
      HnswIndex.Params p = new HnswIndex.Params(m, efConstruction);
      if (cacheDir != null) {
        Path file = cacheDir.resolve("bench-" + items.rows() + "x" + items.dimension() + "-m" + m + "-efc" + efConstruction
            + ".hnsw");
        HnswIndexCache.Result r = HnswIndexCache.loadOrBuild(file, items, p, threads);
        index = r.index();
        return r.source() + " " + file + (r.note().isEmpty() ? "" : " (" + r.note() + ")");
      }
      index = HnswIndex.build(items, p, threads);
      return "BUILT";
    }

    @Override
    public int search(float[] query, int k, int ef, int[] out) {
      if (scores.length < k) {
        scores = new float[k];
      }
      return index.search(query, k, ef, RowFilter.ALL, out, scores);
    }

    @Override
    public long[] saveAndLoad(Path dir) throws IOException {
      Path file = dir.resolve("lucene-" + items.rows() + ".hnsw");
      index.save(file);
      long t0 = System.nanoTime();
      HnswIndex loaded = HnswIndex.load(file, items, index.params());
      long ms = (System.nanoTime() - t0) / 1_000_000;
      long bytes = Files.size(file);
      Files.delete(file);
      if (loaded.edges() != index.edges()) {
        throw new IllegalStateException("loaded index differs");
      }
      return new long[] {bytes, ms};
    }

    @Override
    public long structureBytes() {
      return index.indexBytes();
    }

    HnswIndex index() {
      return index;
    }

    @Override
    public void close() {
      index = null;
    }
  }

  /** A row as hnswlib wants it: its own id and vector objects. */
  record Row(Integer id, float[] vector) implements Item<Integer, float[]> {
    @Override
    public int dimensions() {
      return vector.length;
    }
  }

  /** com.github.jelmerk:hnswlib-core, a Java port of hnswlib, with its inner-product distance (1 - dot). */
  static final class Hnswlib implements Ann {
    private com.github.jelmerk.hnswlib.core.hnsw.HnswIndex<Integer, float[], Row, Float> index;

    @Override
    public String name() {
      return "hnswlib";
    }

    @Override
    public String build(Embeddings items, int m, int efConstruction, int threads, Path cacheDir) throws Exception {
      index = com.github.jelmerk.hnswlib.core.hnsw.HnswIndex
          .newBuilder(items.dimension(), DistanceFunctions.FLOAT_INNER_PRODUCT, items.rows())
          .withM(m).withEfConstruction(efConstruction).withEf(efConstruction).build();
      List<Row> rows = new ArrayList<>(items.rows());
      for (int r = 0; r < items.rows(); r++) {
        float[] v = new float[items.dimension()];
        items.copyRow(r, v, 0);
        rows.add(new Row(r, v));
      }
      index.addAll(rows, threads, (done, max) -> { }, Integer.MAX_VALUE);
      return "BUILT";
    }

    @Override
    public int search(float[] query, int k, int ef, int[] out) {
      // hnswlib keeps ef in the index, not per call; one thread searches at a time here.
      index.setEf(ef);
      List<SearchResult<Row, Float>> results = index.findNearest(query, k);
      int n = 0;
      for (SearchResult<Row, Float> r : results) {
        out[n++] = r.item().id();
      }
      return n;
    }

    @Override
    public long[] saveAndLoad(Path dir) throws IOException {
      Path file = dir.resolve("hnswlib.ser");
      index.save(file);
      long t0 = System.nanoTime();
      var loaded = com.github.jelmerk.hnswlib.core.hnsw.HnswIndex.<Integer, float[], Row, Float>load(file);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      long bytes = Files.size(file);
      Files.delete(file);
      if (loaded.size() != index.size()) {
        throw new IllegalStateException("loaded index differs");
      }
      return new long[] {bytes, ms};
    }

    @Override
    public long structureBytes() {
      return -1;
    }

    @Override
    public void close() {
      index = null;
    }
  }
}
