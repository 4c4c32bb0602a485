package io.rankingcluster.core.ann;

import io.rankingcluster.core.embed.Embeddings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.lucene.search.AbstractKnnCollector;
import org.apache.lucene.search.TaskExecutor;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.hnsw.HnswConcurrentMergeBuilder;
import org.apache.lucene.util.hnsw.HnswGraphBuilder;
import org.apache.lucene.util.hnsw.HnswGraphSearcher;
import org.apache.lucene.util.hnsw.NeighborQueue;
import org.apache.lucene.util.hnsw.OnHeapHnswGraph;

/**
 * An HNSW index over item embeddings for maximum-inner-product search: built, searched and persisted with
 * Apache Lucene's HNSW graph code (docs/decisions/0004-ann-library.md), over the caller's embedding array
 * (not copied; it must not change while the index is used). Scores are dot products. Immutable after
 * construction; {@link #search} is safe to call from many threads.
 */
public final class HnswIndex {
  /**
   * Graph parameters: {@code m} neighbours per node on upper levels (2m on level 0), {@code efConstruction}
   * candidates kept while inserting. They shape the graph, so they are part of the index file's identity.
   */
  public record Params(int m, int efConstruction) {
    /** Defaults chosen by the benchmark (docs/benchmarks.md). */
    public static final Params DEFAULT = new Params(16, 100);

    public Params {
      // Lucene's own limits for these parameters (Lucene99HnswVectorsFormat).
      if (m < 2 || m > 512) {
        throw new IllegalArgumentException("HNSW m must be in [2, 512], was " + m);
      }
      if (efConstruction < 1 || efConstruction > 3200) {
        throw new IllegalArgumentException("HNSW efConstruction must be in [1, 3200], was " + efConstruction);
      }
    }
  }

  /** Level assignment is random; a fixed seed makes a single-threaded build repeatable. */
  static final long SEED = 42;
  /**
   * Beyond this share of the rows a graph search saves nothing over a scan (it visits many times ef nodes,
   * at random, where the scan streams): searches for more candidates scan instead.
   */
  static final int SCAN_WHEN_EF_OVER_ROWS_DIVIDED_BY = 16;
  /**
   * A search that has visited this share of the rows without finishing (a filter that refuses most rows
   * keeps it looking) stops and scans the admitted rows instead: bounded at about twice a scan's cost.
   */
  static final int VISIT_LIMIT_ROWS_DIVIDED_BY = 4;

  private final Embeddings items;
  private final Params params;
  private final CompactGraph graph;

  private HnswIndex(Embeddings items, Params params, CompactGraph graph) {
    this.items = items;
    this.params = params;
    this.graph = graph;
  }

  /** Builds the graph over every row of {@code items} with {@code threads} threads (1: repeatable). */
  public static HnswIndex build(Embeddings items, Params params, int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, was " + threads);
    }
    int n = items.rows();
    if (n == 0 || items.dimension() == 0) {
      return new HnswIndex(items, params, CompactGraph.empty());
    }
    MipScorer.Supplier scorers = new MipScorer.Supplier(items.data(), items.dimension(), n);
    try {
      HnswGraphBuilder single = HnswGraphBuilder.create(scorers, params.m(), params.efConstruction(), SEED, n);
      OnHeapHnswGraph built;
      if (threads == 1) {
        built = single.build(n);
      } else {
        // Lucene's concurrent builder (made for segment merges) inserts batches of nodes from several
        // workers into one graph under its locks; the result is as good but not repeatable.
        AtomicInteger id = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
          Thread t = new Thread(r, "hnsw-build-" + id.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
        try {
          built = new HnswConcurrentMergeBuilder(new TaskExecutor(pool), threads, scorers, params.m(),
              params.efConstruction(), single.getGraph(), null).build(n);
        } finally {
          pool.shutdownNow();
        }
      }
      return new HnswIndex(items, params, CompactGraph.of(built));
    } catch (IOException e) {
      // The scorers read arrays, never files: Lucene's signatures declare IOException for its on-disk graphs.
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Loads an index written by {@link #save} over the same {@code items} with the same {@code params};
   * throws an IOException naming the problem if the file is absent, damaged, truncated, or was built for
   * other vectors or parameters.
   */
  public static HnswIndex load(Path file, Embeddings items, Params params) throws IOException {
    return new HnswIndex(items, params, HnswIndexFile.read(file, header(items, params)));
  }

  /** Writes the graph to {@code file} atomically (a temporary file beside it, then a rename). */
  public void save(Path file) throws IOException {
    HnswIndexFile.write(file, header(items, params), graph);
  }

  public Params params() {
    return params;
  }

  public int rows() {
    return items.rows();
  }

  public int dimension() {
    return items.dimension();
  }

  /** Heap bytes of the graph (the vectors are the caller's and not counted). */
  public long graphBytes() {
    return graph.bytes();
  }

  /** Edges over all levels; with {@link #rows()}, the average degree. */
  public long edges() {
    return graph.edges();
  }

  public int levels() {
    return graph.numLevels();
  }

  /**
   * Writes up to k rows with the largest dot product with {@code query} that {@code filter} accepts into
   * {@code rowsOut}/{@code scoresOut} (length >= k), best first, and returns how many. {@code efSearch} is
   * the candidate list size (raised to k if smaller): larger finds more of the true top k, slower.
   * Small indexes, large k and filters that refuse most rows are answered by an exact scan.
   */
  public int search(float[] query, int k, int efSearch, RowFilter filter, int[] rowsOut, float[] scoresOut) {
    int n = items.rows();
    if (query.length != items.dimension()) {
      throw new IllegalArgumentException("query has " + query.length + " dimensions, the index " + items.dimension());
    }
    if (k <= 0 || n == 0) {
      return 0;
    }
    int ef = Math.max(k, efSearch);
    if ((long) ef * SCAN_WHEN_EF_OVER_ROWS_DIVIDED_BY >= n) {
      return ExactScan.search(items, query, k, filter, rowsOut, scoresOut);
    }
    Collector results = new Collector(ef, Math.max(ef, n / VISIT_LIMIT_ROWS_DIVIDED_BY));
    Bits accept = filter == null || filter == RowFilter.ALL ? null : new FilterBits(filter, n);
    try {
      HnswGraphSearcher.search(new MipScorer(items.data(), items.dimension(), n, query, 0), results, graph.view(), accept);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (results.earlyTerminated()) {
      return ExactScan.search(items, query, k, filter, rowsOut, scoresOut);
    }
    return results.drainBest(k, rowsOut, scoresOut);
  }

  /** Convenience form of {@link #search(float[], int, int, RowFilter, int[], float[])}: all rows admitted. */
  public Hits search(float[] query, int k, int efSearch) {
    int[] rows = new int[Math.max(0, k)];
    float[] scores = new float[Math.max(0, k)];
    int n = search(query, k, efSearch, RowFilter.ALL, rows, scores);
    return new Hits(java.util.Arrays.copyOf(rows, n), java.util.Arrays.copyOf(scores, n));
  }

  /** Rows and their dot products, best first. */
  public record Hits(int[] rows, float[] scores) {}

  private static HnswIndexFile.Header header(Embeddings items, Params params) {
    return new HnswIndexFile.Header(items.rows(), items.dimension(), params.m(), params.efConstruction(),
        fingerprint(items));
  }

  /**
   * A cheap identity of the vectors (all dimensions of about 1,000 evenly spread rows): an index file is
   * keyed by snapshot version and shard already, this catches a file copied next to other vectors.
   */
  static long fingerprint(Embeddings items) {
    float[] data = items.data();
    int d = items.dimension();
    int n = items.rows();
    long h = 0x9E3779B97F4A7C15L ^ ((long) n << 32 | d);
    int step = Math.max(1, n / 1024);
    for (int row = 0; row < n; row += step) {
      for (int k = 0, o = row * d; k < d; k++) {
        h = (h ^ Float.floatToRawIntBits(data[o + k])) * 0x100000001B3L;
        h ^= h >>> 29;
      }
    }
    return h;
  }

  /** Lucene's accepted-ordinals view of a row filter. */
  private record FilterBits(RowFilter filter, int length) implements Bits {
    @Override
    public boolean get(int index) {
      return filter.accepts(index);
    }
  }

  /** Keeps the ef best (row, score) in Lucene's primitive min-heap: no object per collected node. */
  private static final class Collector extends AbstractKnnCollector {
    private final NeighborQueue queue;

    Collector(int k, long visitLimit) {
      super(k, visitLimit);
      queue = new NeighborQueue(k, false);
    }

    @Override
    public boolean collect(int docId, float similarity) {
      return queue.insertWithOverflow(docId, similarity);
    }

    @Override
    public int numCollected() {
      return queue.size();
    }

    @Override
    public float minCompetitiveSimilarity() {
      return queue.size() >= k() ? queue.topScore() : Float.NEGATIVE_INFINITY;
    }

    @Override
    public TopDocs topDocs() {
      throw new UnsupportedOperationException("read results with drainBest");
    }

    /** Drops all but the best k, then writes those best first as dot products. */
    int drainBest(int k, int[] rowsOut, float[] scoresOut) {
      while (queue.size() > k) {
        queue.pop();
      }
      int n = queue.size();
      for (int i = n - 1; i >= 0; i--) {
        scoresOut[i] = MipScorer.toDot(queue.topScore());
        rowsOut[i] = queue.pop();
      }
      return n;
    }
  }
}
