package io.rankingcluster.core.ann;

import io.rankingcluster.core.embed.Embeddings;
import io.rankingcluster.core.embed.VectorMath;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.lucene.util.hnsw.HnswGraphBuilder;
import org.apache.lucene.util.hnsw.NeighborQueue;

/**
 * An approximate maximum-inner-product index over item embeddings: HNSW graphs built and searched
 * with Apache Lucene's HNSW code (docs/decisions/0005-ann-library.md), over the caller's embedding
 * array (not copied; it must not change while the index is used). Scores are dot products.
 * Immutable after construction; {@link #search} is safe to call from many threads.
 *
 * <h2>Design: norm tiers</h2>
 *
 * Item vectors from matrix factorisation have very uneven norms: in the demo shop a third are all
 * zeros (items without interactions), the median norm is 0.05 and the largest 5 to 18. One HNSW
 * graph over them with inner-product similarity fails: the graph's neighbour pruning links short
 * vectors only to a few long ones, and most nodes cannot be reached (70% of them on a 50k-item
 * sample; recall@100 stalls near 0.94). So the rows are sorted by norm and cut into tiers whose
 * norms differ by at most a factor ({@link Params#tierRatio()}); each tier large enough gets its
 * own graph, in which norms are alike and the graph is well connected. A search visits the tiers
 * from the longest vectors down and stops as soon as the tier's largest possible score, |q| times
 * its largest norm (Cauchy-Schwarz), cannot beat the k-th best found: the answers to a user vector
 * lie among the longest vectors, so a search touches a few thousand of a million items. Small tiers
 * are scanned exactly. Rows whose vector is all zeros form a last tier that is only scanned (every
 * query scores them 0).
 */
public final class HnswIndex {
  /**
   * Index shape: {@code m} neighbours per node on a graph's upper levels (2m on level 0), {@code
   * efConstruction} candidates kept while inserting, and {@code tierRatio}, the largest ratio of
   * norms within one tier (0: one graph for all non-zero rows). They shape the index, so they are
   * part of the index file's identity.
   */
  public record Params(int m, int efConstruction, int tierRatio) {
    /** Defaults chosen by the benchmark (docs/benchmarks.md). */
    public static final Params DEFAULT = new Params(16, 100, 2);

    public Params {
      // m and efConstruction: Lucene's own limits (Lucene99HnswVectorsFormat).
      if (m < 2 || m > 512) {
        throw new IllegalArgumentException("HNSW m must be in [2, 512], was " + m);
      }
      if (efConstruction < 1 || efConstruction > 3200) {
        throw new IllegalArgumentException(
            "HNSW efConstruction must be in [1, 3200], was " + efConstruction);
      }
      if (tierRatio != 0 && (tierRatio < 2 || tierRatio > 1024)) {
        throw new IllegalArgumentException(
            "HNSW tierRatio must be 0 (one tier) or in [2, 1024], was " + tierRatio);
      }
    }

    public Params(int m, int efConstruction) {
      this(m, efConstruction, DEFAULT.tierRatio);
    }
  }

  /**
   * Level assignment is random; a fixed seed (and one thread per graph) makes builds repeatable.
   */
  static final long SEED = 42;

  /** Tiers smaller than this get no graph: scanning them costs less than a graph search would. */
  static final int MIN_GRAPH_NODES = 1024;

  /**
   * Tiers up to this size keep a contiguous copy of their vectors: the longest vectors, where every
   * search starts, are then scanned as a stream and graph-searched with locality. With skewed norms
   * these tiers hold a few percent of the rows.
   */
  static final int MAX_COPIED_ROWS = 16_384;

  /**
   * A graph search scores about 15 ef nodes (measured: docs/benchmarks.md), at random, where a scan
   * of a contiguous copy streams at about a third of the cost per row: such a tier of fewer than
   * this many times ef rows is scanned instead. Tiers without a copy are scanned below half of it.
   */
  static final int SCAN_WHEN_EF_TIMES = Integer.getInteger("hnsw.scanTimes", 32);

  /**
   * A filtered graph search that has scored this share of its tier without finishing (a filter that
   * refuses most rows keeps it looking) stops, and the tier is scanned: bounded at about twice a
   * scan.
   */
  static final int VISIT_LIMIT_DIVISOR = 2;

  /** A run of rows with similar norms. */
  static final class Tier {
    /** The largest norm in the tier, rounded up (a bound on every score's |q| factor). */
    final float maxNorm;

    /** The row of each node, longest vector first. */
    final int[] rowOf;

    /** Null when the tier is only scanned. */
    final CompactGraph graph;

    /**
     * Small tiers: their rows' vectors copied contiguously (node i at i * dimension), else null.
     */
    final float[] vectors;

    Tier(float maxNorm, int[] rowOf, CompactGraph graph, float[] vectors) {
      this.maxNorm = maxNorm;
      this.rowOf = rowOf;
      this.graph = graph;
      this.vectors = vectors;
    }

    int size() {
      return rowOf.length;
    }
  }

  private final Embeddings items;
  private final Params params;
  private final Tier[] tiers;

  private HnswIndex(Embeddings items, Params params, Tier[] tiers) {
    this.items = items;
    this.params = params;
    this.tiers = tiers;
  }

  /**
   * Builds the index over every row of {@code items}; the graphs of different tiers are built in
   * parallel on {@code threads} threads, each graph by one thread, so the result does not depend on
   * the thread count.
   */
  public static HnswIndex build(Embeddings items, Params params, int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, was " + threads);
    }
    TierLayout layout = TierLayout.of(items, params.tierRatio());
    CompactGraph[] graphs = new CompactGraph[layout.count()];
    List<Integer> withGraphs = new ArrayList<>();
    for (int t = 0; t < layout.count(); t++) {
      if (layout.hasGraph(t)) {
        withGraphs.add(t);
      }
    }
    // Largest first, so that the longest build starts at once.
    withGraphs.sort((a, b) -> Integer.compare(layout.rows(b).length, layout.rows(a).length));
    if (threads == 1 || withGraphs.size() <= 1) {
      for (int t : withGraphs) {
        graphs[t] = buildGraph(items, layout.rows(t), params);
      }
    } else {
      AtomicInteger id = new AtomicInteger();
      ExecutorService pool =
          Executors.newFixedThreadPool(
              Math.min(threads, withGraphs.size()),
              r -> {
                Thread th = new Thread(r, "hnsw-build-" + id.incrementAndGet());
                th.setDaemon(true);
                return th;
              });
      try {
        List<Future<CompactGraph>> futures = new ArrayList<>();
        for (int t : withGraphs) {
          futures.add(pool.submit(() -> buildGraph(items, layout.rows(t), params)));
        }
        for (int i = 0; i < withGraphs.size(); i++) {
          graphs[withGraphs.get(i)] = futures.get(i).get();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while building the HNSW index", e);
      } catch (ExecutionException e) {
        throw new IllegalStateException(
            "building the HNSW index failed: " + e.getCause(), e.getCause());
      } finally {
        pool.shutdownNow();
      }
    }
    return new HnswIndex(items, params, layout.tiers(items, graphs));
  }

  private static CompactGraph buildGraph(Embeddings items, int[] rowOf, Params params) {
    try {
      MipScorer.Supplier scorers = new MipScorer.Supplier(items.data(), items.dimension(), rowOf);
      return CompactGraph.of(
          HnswGraphBuilder.create(scorers, params.m(), params.efConstruction(), SEED, rowOf.length)
              .build(rowOf.length));
    } catch (IOException e) {
      // The scorers read arrays, never files: Lucene declares IOException for its on-disk graphs.
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Loads an index written by {@link #save} over the same {@code items} with the same {@code
   * params}; throws an IOException naming the problem if the file is absent, damaged, truncated, or
   * was built for other vectors or parameters.
   */
  public static HnswIndex load(Path file, Embeddings items, Params params) throws IOException {
    TierLayout layout = TierLayout.of(items, params.tierRatio());
    CompactGraph[] graphs = HnswIndexFile.read(file, header(items, params, layout), layout);
    return new HnswIndex(items, params, layout.tiers(items, graphs));
  }

  /** Writes the graphs to {@code file} atomically (a temporary file beside it, then a rename). */
  public void save(Path file) throws IOException {
    CompactGraph[] graphs = new CompactGraph[tiers.length];
    int[] sizes = new int[tiers.length];
    for (int t = 0; t < tiers.length; t++) {
      graphs[t] = tiers[t].graph;
      sizes[t] = tiers[t].size();
    }
    HnswIndexFile.write(file, header(items, params, nodes(), tiers.length), sizes, graphs);
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

  /**
   * Rows with a non-zero vector (the rows the tiers' graphs and scans cover before the zero tier).
   */
  public int nodes() {
    int n = 0;
    for (Tier t : tiers) {
      n += t.maxNorm > 0 ? t.size() : 0;
    }
    return n;
  }

  /** Number of tiers, the zero tier included. */
  public int tierCount() {
    return tiers.length;
  }

  /**
   * Heap bytes beyond the caller's vectors: graphs, node-to-row maps, and the contiguous copies of
   * the small tiers' vectors.
   */
  public long indexBytes() {
    long b = 0;
    for (Tier t : tiers) {
      b +=
          4L * t.rowOf.length
              + (t.graph == null ? 0 : t.graph.bytes())
              + (t.vectors == null ? 0 : 4L * t.vectors.length);
    }
    return b;
  }

  /** Edges over all graphs and levels. */
  public long edges() {
    long e = 0;
    for (Tier t : tiers) {
      e += t.graph == null ? 0 : t.graph.edges();
    }
    return e;
  }

  /** One line per tier: size, largest norm, graph or scan (for logs and the benchmark). */
  public String describeTiers() {
    StringBuilder sb = new StringBuilder();
    for (Tier t : tiers) {
      sb.append(
          String.format(
              java.util.Locale.ROOT,
              "%s%d rows <= %.4g %s",
              sb.length() == 0 ? "" : "; ",
              t.size(),
              t.maxNorm,
              t.graph != null ? "graph" : "scan"));
    }
    return sb.toString();
  }

  /**
   * Writes up to k rows with the largest dot product with {@code query} that {@code filter} accepts
   * into {@code rowsOut}/{@code scoresOut} (length >= k), best first, and returns how many. {@code
   * efSearch} is each graph search's candidate list size (raised to k if smaller): larger finds
   * more of the true top k, slower; large enough, every tier is scanned and the answer is exact.
   */
  public int search(
      float[] query, int k, int efSearch, RowFilter filter, int[] rowsOut, float[] scoresOut) {
    return search(query, k, efSearch, filter, rowsOut, scoresOut, null);
  }

  /**
   * What searches did, summed over the searches given the same trace (benchmarks; not thread-safe).
   */
  public static final class Trace {
    public long searches;

    /** Tiers answered by a graph search. */
    public long graphTiers;

    /** Tiers answered by a scan. */
    public long scannedTiers;

    /** Rows scored by scans. */
    public long scannedRows;

    /** Nodes scored by graph searches. */
    public long graphNodes;
  }

  /**
   * As {@link #search(float[], int, int, RowFilter, int[], float[])}, adding what it did to {@code
   * trace}.
   */
  public int search(
      float[] query,
      int k,
      int efSearch,
      RowFilter filter,
      int[] rowsOut,
      float[] scoresOut,
      Trace trace) {
    if (query.length != items.dimension()) {
      throw new IllegalArgumentException(
          "query has " + query.length + " dimensions, the index " + items.dimension());
    }
    if (k <= 0 || items.rows() == 0) {
      return 0;
    }
    int ef = Math.max(k, efSearch);
    boolean all = filter == null || filter == RowFilter.ALL;
    float queryNorm = (float) Math.sqrt(VectorMath.dot(query, 0, query, 0, query.length));
    NeighborQueue best = new NeighborQueue(k, false);
    for (Tier t : tiers) {
      // Cauchy-Schwarz: no row of this tier or any later one scores above |q| * maxNorm. The margin
      // covers
      // float rounding in the dot products.
      if (best.size() >= k && queryNorm * t.maxNorm * 1.0001f + 1e-6f <= best.topScore()) {
        break;
      }
      long scanBelow =
          (long) ef * (t.vectors != null ? SCAN_WHEN_EF_TIMES : SCAN_WHEN_EF_TIMES / 2);
      float floor = best.size() >= k ? best.topScore() : Float.NEGATIVE_INFINITY;
      if (t.graph == null
          || scanBelow >= t.size()
          || !searchGraph(t, query, ef, floor, all ? null : filter, best, trace)) {
        scan(t, query, all ? null : filter, k, best);
        if (trace != null) {
          trace.scannedTiers++;
          trace.scannedRows += t.size();
        }
      }
    }
    if (trace != null) {
      trace.searches++;
    }
    int n = best.size();
    for (int i = n - 1; i >= 0; i--) {
      scoresOut[i] = best.topScore();
      rowsOut[i] = best.pop();
    }
    return n;
  }

  /**
   * Convenience form of {@link #search(float[], int, int, RowFilter, int[], float[])}: all rows
   * admitted.
   */
  public Hits search(float[] query, int k, int efSearch) {
    int[] rows = new int[Math.max(0, k)];
    float[] scores = new float[Math.max(0, k)];
    int n = search(query, k, efSearch, RowFilter.ALL, rows, scores);
    return new Hits(Arrays.copyOf(rows, n), Arrays.copyOf(scores, n));
  }

  /** Rows and their dot products, best first. */
  public record Hits(int[] rows, float[] scores) {}

  /**
   * Adds the tier's best ef to {@code best}; false if the search gave up (then the caller scans).
   *
   * <p>The search is Lucene's (HnswGraphSearcher in 9.12: a greedy descent over the upper levels to
   * an entry point, then a best-first search of level 0 with a candidate list of ef; the filter
   * decides what is collected, not where the search walks), over the same graph and with the same
   * comparisons, in the same order. What differs is how nodes are scored: the unvisited neighbours
   * of a node are scored together ({@link VectorMath#dotsAt}), four rows read side by side, where
   * Lucene scores one node per call. The neighbours are rows scattered over the shard's embedding
   * table, so a search waits on memory more than it computes (JFR: the dot product was over half of
   * a recall shard's CPU); a batch keeps four misses in flight. Scores are plain dot products, and
   * the visited set is a per-thread array of generation stamps.
   *
   * <p>{@code floor} is the k-th best score of the tiers searched before (or -infinity): nothing
   * below it can enter the answer, so the search neither collects nor walks through such nodes. A
   * later tier, of shorter vectors, then ends once its region above the floor is explored, instead
   * of gathering a full ef of answers that the merge would throw away (with the filter of a real
   * request this halved the nodes scored).
   */
  private boolean searchGraph(
      Tier t,
      float[] query,
      int ef,
      float floor,
      RowFilter filter,
      NeighborQueue best,
      Trace trace) {
    CompactGraph g = t.graph;
    if (g.size == 0 || g.entryNode < 0) {
      return true;
    }
    SearchScratch s = scratch.get();
    s.prepare(g.size);
    int d = items.dimension();
    float[] data = t.vectors != null ? t.vectors : items.data();
    int[] rowOf = t.vectors != null ? null : t.rowOf;
    // Unfiltered searches always finish; only a filter can keep one looking.
    long limit = filter == null ? Long.MAX_VALUE : Math.max(ef, t.size() / VISIT_LIMIT_DIVISOR);
    long visited = 0;

    // Upper levels: greedy descent to the best entry point (one visited set for all of them).
    int ep = g.entryNode;
    s.newGeneration();
    s.batch[0] = ep;
    s.score(data, rowOf, 1, d, query);
    float epScore = s.scores[0];
    visited++;
    for (int level = g.numLevels() - 1; level >= 1; level--) {
      s.mark(ep);
      boolean better = true;
      while (better) {
        better = false;
        int n = s.unvisitedNeighbours(g.levels[level], level, ep);
        if (n == 0) {
          continue;
        }
        if (visited >= limit) {
          return gaveUp(trace, visited);
        }
        s.score(data, rowOf, n, d, query);
        visited += n;
        for (int i = 0; i < n; i++) {
          if (s.scores[i] > epScore) {
            epScore = s.scores[i];
            ep = s.batch[i];
            better = true;
          }
        }
      }
    }

    // Level 0: best-first search with ef results.
    s.newGeneration();
    NeighborQueue candidates = s.candidates;
    NeighborQueue results = s.results(ef);
    s.mark(ep);
    visited++; // Lucene scores the entry point again here; counted alike, so visit limits match
    candidates.add(ep, epScore);
    if (epScore > floor && (filter == null || filter.accepts(t.rowOf[ep]))) {
      results.insertWithOverflow(ep, epScore);
    }
    // The walk's bar: below the ef-th answer (or the floor, if higher), as in Lucene; but never
    // above the
    // BEAM-th best node scored, so that a tier whose entry lies below the floor is still walked as
    // a search of
    // width BEAM would walk it, to the region above the floor if it has one.
    NeighborQueue beam = s.beam;
    beam.insertWithOverflow(ep, epScore);
    float minAccepted = bar(floor, results, ef, beam);
    CompactGraph.Level level0 = g.levels[0];
    while (candidates.size() > 0 && visited < limit) {
      if (candidates.topScore() < minAccepted) {
        break;
      }
      int node = candidates.pop();
      int n = s.unvisitedNeighbours(level0, 0, node);
      if (n == 0) {
        continue;
      }
      s.score(data, rowOf, n, d, query);
      visited += n;
      for (int i = 0; i < n; i++) {
        float score = s.scores[i];
        if (score > minAccepted) {
          int friend = s.batch[i];
          candidates.add(friend, score);
          boolean changed = beam.insertWithOverflow(friend, score);
          if (score > floor && (filter == null || filter.accepts(t.rowOf[friend]))) {
            changed |= results.insertWithOverflow(friend, score);
          }
          if (changed) {
            minAccepted = bar(floor, results, ef, beam);
          }
        }
      }
    }
    if (visited >= limit) {
      return gaveUp(trace, visited);
    }
    if (trace != null) {
      trace.graphNodes += visited;
      trace.graphTiers++;
    }
    while (results.size() > 0) {
      float score = results.topScore();
      best.insertWithOverflow(t.rowOf[results.pop()], score);
    }
    return true;
  }

  /** Nodes a walk may pass through at least: the width of a search that lies below the floor. */
  static final int BEAM = 32;

  private static float bar(float floor, NeighborQueue results, int ef, NeighborQueue beam) {
    float answers =
        Math.max(floor, results.size() >= ef ? results.topScore() : Float.NEGATIVE_INFINITY);
    float width = beam.size() >= BEAM ? beam.topScore() : Float.NEGATIVE_INFINITY;
    return Math.min(answers, width);
  }

  private static boolean gaveUp(Trace trace, long visited) {
    if (trace != null) {
      trace.graphNodes += visited;
    }
    return false;
  }

  /**
   * Per-thread state of graph searches: visited stamps, a batch of neighbours with their scores,
   * the queues.
   */
  private static final class SearchScratch {
    int[] stamp = new int[0];
    int generation;
    int[] batch = new int[64];
    int[] offsets = new int[64];
    float[] scores = new float[64];
    final NeighborQueue candidates = new NeighborQueue(128, true);
    final NeighborQueue beam = new NeighborQueue(BEAM, false);
    NeighborQueue results;
    int resultsSize;

    void prepare(int size) {
      if (stamp.length < size) {
        stamp = new int[size];
        generation = 0;
      }
      candidates.clear();
      beam.clear();
    }

    void newGeneration() {
      if (++generation == Integer.MAX_VALUE) {
        java.util.Arrays.fill(stamp, 0);
        generation = 1;
      }
    }

    void mark(int node) {
      stamp[node] = generation;
    }

    NeighborQueue results(int ef) {
      if (results == null || resultsSize != ef) {
        results = new NeighborQueue(ef, false);
        resultsSize = ef;
      } else {
        results.clear();
      }
      return results;
    }

    /**
     * Collects the not yet visited neighbours of {@code node} on {@code level} into batch, marking
     * them.
     */
    int unvisitedNeighbours(CompactGraph.Level l, int level, int node) {
      // Upper levels are small (about size / M^level nodes) and are only walked to find the entry
      // point.
      int i = level == 0 ? node : java.util.Arrays.binarySearch(l.nodes, node);
      int from = l.offsets[i];
      int to = l.offsets[i + 1];
      if (to - from > batch.length) {
        batch = new int[to - from];
        offsets = new int[to - from];
        scores = new float[to - from];
      }
      int n = 0;
      int[] nb = l.neighbours;
      for (int e = from; e < to; e++) {
        int friend = nb[e];
        if (stamp[friend] != generation) {
          stamp[friend] = generation;
          batch[n++] = friend;
        }
      }
      return n;
    }

    void score(float[] data, int[] rowOf, int n, int d, float[] query) {
      for (int i = 0; i < n; i++) {
        offsets[i] = (rowOf == null ? batch[i] : rowOf[batch[i]]) * d;
      }
      VectorMath.dotsAt(data, offsets, n, d, query, scores);
    }
  }

  private final ThreadLocal<SearchScratch> scratch = ThreadLocal.withInitial(SearchScratch::new);

  private void scan(Tier t, float[] query, RowFilter filter, int k, NeighborQueue best) {
    float min = best.size() >= k ? best.topScore() : Float.NEGATIVE_INFINITY;
    int d = items.dimension();
    int[] rowOf = t.rowOf;
    // The filter is asked only about rows that would enter the top k: a row's score costs a dot
    // product over
    // contiguous floats, the filter several random reads of catalog columns, and few rows beat the
    // k-th best.
    if (t.vectors != null) {
      // Contiguous copy: the four-rows-at-a-time kernel, in blocks.
      float[] block = new float[Math.min(256, rowOf.length)];
      for (int first = 0; first < rowOf.length; first += block.length) {
        int count = Math.min(block.length, rowOf.length - first);
        VectorMath.dots(t.vectors, first * d, count, d, query, block);
        for (int i = 0; i < count; i++) {
          if (block[i] > min && (filter == null || filter.accepts(rowOf[first + i]))) {
            best.insertWithOverflow(rowOf[first + i], block[i]);
            if (best.size() >= k) {
              min = best.topScore();
            }
          }
        }
      }
      return;
    }
    float[] data = items.data();
    for (int i = 0; i < rowOf.length; i++) {
      int row = rowOf[i];
      float s = VectorMath.dot(data, row * d, query, 0, d);
      if (s > min && (filter == null || filter.accepts(row))) {
        best.insertWithOverflow(row, s);
        if (best.size() >= k) {
          min = best.topScore();
        }
      }
    }
  }

  private static HnswIndexFile.Header header(Embeddings items, Params params, TierLayout layout) {
    int nodes = 0;
    for (int t = 0; t < layout.count(); t++) {
      nodes += layout.isZero(t) ? 0 : layout.rows(t).length;
    }
    return header(items, params, nodes, layout.count());
  }

  private static HnswIndexFile.Header header(
      Embeddings items, Params params, int nodes, int tierCount) {
    return new HnswIndexFile.Header(
        items.rows(),
        nodes,
        items.dimension(),
        params.m(),
        params.efConstruction(),
        params.tierRatio(),
        tierCount,
        fingerprint(items));
  }

  /**
   * A cheap identity of the vectors (all dimensions of about 1,000 evenly spread rows): an index
   * file is keyed by snapshot version and shard already; this catches a file copied next to other
   * vectors.
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

  /**
   * How rows fall into tiers: a pure function of the vectors and the ratio, so a loaded file is
   * checked against the layout recomputed from the vectors it is loaded for.
   */
  static final class TierLayout {
    private final int[][] rows;
    private final float[] maxNorms;

    private TierLayout(int[][] rows, float[] maxNorms) {
      this.rows = rows;
      this.maxNorms = maxNorms;
    }

    static TierLayout of(Embeddings items, int ratio) {
      int n = items.rows();
      int d = items.dimension();
      float[] data = items.data();
      float[] norms = new float[n];
      boolean[] zero = new boolean[n];
      long[] keys = new long[n];
      int nonZero = 0;
      for (int r = 0, o = 0; r < n; r++, o += d) {
        double s = 0;
        for (int k = 0; k < d; k++) {
          s += (double) data[o + k] * data[o + k];
        }
        // Rounded up: maxNorm must bound every |x| in its tier.
        norms[r] = Math.nextUp((float) Math.sqrt(s));
        zero[r] = s == 0;
        if (!zero[r]) {
          // Longest first, then by row: positive floats order like their bits.
          keys[nonZero++] = ((long) (Integer.MAX_VALUE - Float.floatToIntBits(norms[r])) << 32) | r;
        }
      }
      long[] sorted = Arrays.copyOf(keys, nonZero);
      Arrays.sort(sorted);
      List<int[]> tiers = new ArrayList<>();
      List<Float> maxima = new ArrayList<>();
      for (int i = 0; i < nonZero; ) {
        float top = norms[(int) sorted[i]];
        int j = i + 1;
        if (ratio == 0) {
          j = nonZero;
        } else {
          while (j < nonZero && norms[(int) sorted[j]] * ratio >= top) {
            j++;
          }
        }
        int[] tier = new int[j - i];
        for (int x = i; x < j; x++) {
          tier[x - i] = (int) sorted[x];
        }
        tiers.add(tier);
        maxima.add(top);
        i = j;
      }
      if (nonZero < n) {
        int[] zeroRows = new int[n - nonZero];
        for (int r = 0, z = 0; r < n; r++) {
          if (zero[r]) {
            zeroRows[z++] = r;
          }
        }
        tiers.add(zeroRows);
        maxima.add(0f);
      }
      float[] m = new float[maxima.size()];
      for (int i = 0; i < m.length; i++) {
        m[i] = maxima.get(i);
      }
      return new TierLayout(tiers.toArray(new int[0][]), m);
    }

    int count() {
      return rows.length;
    }

    int[] rows(int tier) {
      return rows[tier];
    }

    boolean isZero(int tier) {
      return maxNorms[tier] == 0;
    }

    boolean hasGraph(int tier) {
      return !isZero(tier) && rows[tier].length >= MIN_GRAPH_NODES;
    }

    Tier[] tiers(Embeddings items, CompactGraph[] graphs) {
      Tier[] out = new Tier[rows.length];
      int d = items.dimension();
      for (int t = 0; t < rows.length; t++) {
        float[] copy = null;
        if (!isZero(t) && rows[t].length <= MAX_COPIED_ROWS) {
          copy = new float[rows[t].length * d];
          for (int i = 0; i < rows[t].length; i++) {
            items.copyRow(rows[t][i], copy, i * d);
          }
        }
        out[t] = new Tier(maxNorms[t], rows[t], hasGraph(t) ? graphs[t] : null, copy);
      }
      return out;
    }
  }
}
