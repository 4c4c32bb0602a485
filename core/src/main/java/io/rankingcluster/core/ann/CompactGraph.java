package io.rankingcluster.core.ann;

import java.io.IOException;
import java.util.Arrays;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.util.hnsw.HnswGraph;

/**
 * An HNSW graph frozen into flat int arrays, one adjacency list (CSR) per level. Lucene's builder
 * keeps a scored, growable array per node and level (about twice the bytes); serving needs only the
 * neighbour ids, and flat arrays are what the index file holds, so loading is a bulk copy.
 * Immutable; {@link HnswIndex} walks it directly.
 */
final class CompactGraph {
  /**
   * One level: the neighbours of the i-th node are {@code neighbours[offsets[i], offsets[i + 1])}.
   */
  static final class Level {
    /** Node ids on this level, ascending; null on level 0, which holds every node (i = node id). */
    final int[] nodes;

    final int[] offsets;
    final int[] neighbours;

    Level(int[] nodes, int[] offsets, int[] neighbours) {
      this.nodes = nodes;
      this.offsets = offsets;
      this.neighbours = neighbours;
    }

    int count() {
      return offsets.length - 1;
    }
  }

  final int size;
  final int entryNode;
  final Level[] levels;

  CompactGraph(int size, int entryNode, Level[] levels) {
    this.size = size;
    this.entryNode = entryNode;
    this.levels = levels;
  }

  static CompactGraph empty() {
    return new CompactGraph(0, -1, new Level[] {new Level(null, new int[] {0}, new int[0])});
  }

  /** Copies any Lucene graph (read through its single-threaded cursor API). */
  static CompactGraph of(HnswGraph g) throws IOException {
    int n = g.size();
    if (n == 0) {
      return empty();
    }
    Level[] levels = new Level[g.numLevels()];
    int[] all = new int[n];
    for (int i = 0; i < n; i++) {
      all[i] = i;
    }
    levels[0] = copyLevel(g, 0, all, null);
    for (int l = 1; l < levels.length; l++) {
      int[] nodes = HnswGraph.NodesIterator.getSortedNodes(g.getNodesOnLevel(l));
      levels[l] = copyLevel(g, l, nodes, nodes);
    }
    return new CompactGraph(n, g.entryNode(), levels);
  }

  private static Level copyLevel(HnswGraph g, int level, int[] nodes, int[] keptNodes)
      throws IOException {
    int[] offsets = new int[nodes.length + 1];
    int[] neighbours = new int[Math.max(16, nodes.length * 8)];
    int e = 0;
    for (int i = 0; i < nodes.length; i++) {
      g.seek(level, nodes[i]);
      for (int nb = g.nextNeighbor(); nb != DocIdSetIterator.NO_MORE_DOCS; nb = g.nextNeighbor()) {
        if (e == neighbours.length) {
          neighbours = Arrays.copyOf(neighbours, neighbours.length + (neighbours.length >> 1));
        }
        neighbours[e++] = nb;
      }
      offsets[i + 1] = e;
    }
    return new Level(keptNodes, offsets, Arrays.copyOf(neighbours, e));
  }

  int numLevels() {
    return levels.length;
  }

  long edges() {
    long e = 0;
    for (Level l : levels) {
      e += l.neighbours.length;
    }
    return e;
  }

  /** Heap bytes of the arrays (headers ignored). */
  long bytes() {
    long b = 0;
    for (Level l : levels) {
      b += 4L * (l.offsets.length + l.neighbours.length + (l.nodes == null ? 0 : l.nodes.length));
    }
    return b;
  }
}
