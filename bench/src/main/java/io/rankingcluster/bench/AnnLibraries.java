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
import org.apache.lucene.codecs.hnsw.DefaultFlatVectorScorer;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.KnnCollector;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.util.hnsw.HnswGraphBuilder;
import org.apache.lucene.util.hnsw.HnswGraphSearcher;
import org.apache.lucene.util.hnsw.OnHeapHnswGraph;
import org.apache.lucene.util.hnsw.RandomAccessVectorValues;
import org.apache.lucene.util.hnsw.RandomVectorScorer;
import org.apache.lucene.util.hnsw.RandomVectorScorerSupplier;

/** The ANN implementations the benchmark compares, behind one small interface. */
final class AnnLibraries {
  private AnnLibraries() {}

  /** One ANN implementation under test. */
  interface Ann {
    String name();

    /**
     * Builds (or loads from {@code cacheDir}, when given and supported) the index; returns a
     * one-line note.
     */
    String build(Embeddings items, int m, int efConstruction, int threads, Path cacheDir)
        throws Exception;

    /**
     * Top-k rows for {@code query} with candidate list {@code ef} into {@code out}; returns how
     * many.
     */
    int search(float[] query, int k, int ef, int[] out);

    /**
     * Saves to a file in {@code dir}, loads it back, and returns {bytes, load ms}; or null if not
     * supported.
     */
    long[] saveAndLoad(Path dir) throws Exception;

    /**
     * Exact bytes of the index structure beyond the vectors, when the implementation can tell; else
     * -1.
     */
    long structureBytes();

    /**
     * What the searches since the last call did, as a short text (empty if the implementation
     * cannot tell).
     */
    default String traceAndReset() {
      return "";
    }

    void close();
  }

  static Ann of(String name) {
    return switch (name) {
      case "lucene" -> new Lucene();
      case "lucene-mip" -> new LuceneMip();
      case "hnswlib" -> new Hnswlib();
      default ->
          throw new IllegalArgumentException(
              "unknown library '" + name + "' (lucene, lucene-mip, hnswlib)");
    };
  }

  /**
   * The rows with a non-zero vector (single-graph variants index only these; see
   * docs/benchmarks.md).
   */
  static int[] nonZeroRows(Embeddings items) {
    int[] rows = new int[items.rows()];
    int n = 0;
    float[] data = items.data();
    int d = items.dimension();
    for (int r = 0; r < items.rows(); r++) {
      for (int k = 0; k < d; k++) {
        if (data[r * d + k] != 0) {
          rows[n++] = r;
          break;
        }
      }
    }
    return java.util.Arrays.copyOf(rows, n);
  }

  /**
   * Lucene used as it comes: one graph with MAXIMUM_INNER_PRODUCT similarity, its own on-heap
   * vector values (one float[] per row) and DefaultFlatVectorScorer, whose dot product is Lucene's
   * VectorUtil (Panama vectors on the JDKs Lucene knows). Zero rows left out.
   */
  static final class LuceneMip implements Ann {
    private OnHeapHnswGraph graph;
    private RandomAccessVectorValues.Floats values;
    private int[] rowOf;

    @Override
    public String name() {
      return "lucene-mip";
    }

    @Override
    public String build(Embeddings items, int m, int efConstruction, int threads, Path cacheDir)
        throws Exception {
      rowOf = nonZeroRows(items);
      List<float[]> vectors = new ArrayList<>(rowOf.length);
      for (int row : rowOf) {
        float[] v = new float[items.dimension()];
        items.copyRow(row, v, 0);
        vectors.add(v);
      }
      values = RandomAccessVectorValues.fromFloats(vectors, items.dimension());
      RandomVectorScorerSupplier scorers =
          DefaultFlatVectorScorer.INSTANCE.getRandomVectorScorerSupplier(
              VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT, values);
      graph =
          HnswGraphBuilder.create(scorers, m, efConstruction, 42, rowOf.length).build(rowOf.length);
      return "BUILT (1 thread; " + rowOf.length + " non-zero rows)";
    }

    @Override
    public int search(float[] query, int k, int ef, int[] out) {
      try {
        RandomVectorScorer scorer =
            DefaultFlatVectorScorer.INSTANCE.getRandomVectorScorer(
                VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT, values, query);
        KnnCollector c =
            HnswGraphSearcher.search(scorer, Math.max(k, ef), graph, null, Integer.MAX_VALUE);
        ScoreDoc[] docs = c.topDocs().scoreDocs;
        int n = Math.min(k, docs.length);
        for (int i = 0; i < n; i++) {
          out[i] = rowOf[docs[i].doc];
        }
        return n;
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    @Override
    public long[] saveAndLoad(Path dir) {
      return null;
    }

    @Override
    public long structureBytes() {
      return graph.ramBytesUsed();
    }

    @Override
    public void close() {
      graph = null;
      values = null;
    }
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
        Path file =
            cacheDir.resolve(
                "bench-"
                    + items.rows()
                    + "x"
                    + items.dimension()
                    + "-m"
                    + m
                    + "-efc"
                    + efConstruction
                    + ".hnsw");
        HnswIndexCache.Result r = HnswIndexCache.loadOrBuild(file, items, p, threads);
        index = r.index();
        return r.source() + " " + file + (r.note().isEmpty() ? "" : " (" + r.note() + ")");
      }
      index = HnswIndex.build(items, p, threads);
      return "BUILT";
    }

    String describe() {
      return index.describeTiers();
    }

    private HnswIndex.Trace trace = new HnswIndex.Trace();

    @Override
    public int search(float[] query, int k, int ef, int[] out) {
      if (scores.length < k) {
        scores = new float[k];
      }
      return index.search(query, k, ef, RowFilter.ALL, out, scores, trace);
    }

    @Override
    public String traceAndReset() {
      HnswIndex.Trace t = trace;
      trace = new HnswIndex.Trace();
      double n = Math.max(1, t.searches);
      return String.format(
          java.util.Locale.ROOT,
          "%.1f graph + %.1f scanned tiers; %.0f graph nodes + %.0f rows scored",
          t.graphTiers / n,
          t.scannedTiers / n,
          t.graphNodes / n,
          t.scannedRows / n);
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

  /**
   * com.github.jelmerk:hnswlib-core, a Java port of hnswlib, with its inner-product distance (1 -
   * dot).
   */
  static final class Hnswlib implements Ann {
    private com.github.jelmerk.hnswlib.core.hnsw.HnswIndex<Integer, float[], Row, Float> index;

    @Override
    public String name() {
      return "hnswlib";
    }

    @Override
    public String build(Embeddings items, int m, int efConstruction, int threads, Path cacheDir)
        throws Exception {
      int[] nonZero = nonZeroRows(items);
      index =
          com.github.jelmerk.hnswlib.core.hnsw.HnswIndex.newBuilder(
                  items.dimension(), DistanceFunctions.FLOAT_INNER_PRODUCT, nonZero.length)
              .withM(m)
              .withEfConstruction(efConstruction)
              .withEf(efConstruction)
              .build();
      List<Row> rows = new ArrayList<>(nonZero.length);
      for (int r : nonZero) {
        float[] v = new float[items.dimension()];
        items.copyRow(r, v, 0);
        rows.add(new Row(r, v));
      }
      index.addAll(rows, threads, (done, max) -> {}, Integer.MAX_VALUE);
      return "BUILT (" + threads + " threads; " + nonZero.length + " non-zero rows)";
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
      var loaded =
          com.github.jelmerk.hnswlib.core.hnsw.HnswIndex.<Integer, float[], Row, Float>load(file);
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
