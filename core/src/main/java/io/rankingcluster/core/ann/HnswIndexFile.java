package io.rankingcluster.core.ann;

import io.rankingcluster.core.io.LeReader;
import io.rankingcluster.core.io.LeWriter;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The on-disk form of an {@link HnswIndex}: its graphs only (the vectors stay in the snapshot, and
 * the tiers are recomputed from them). Little-endian:
 *
 * <pre>
 *   magic "RCHNSW1\0" | format 1 | rows | nodes | dimension | m | efConstruction | tierRatio | tiers
 *   | reserved 0 | vectors fingerprint (8)
 *   per tier:  size | levels (0: no graph) | then, with a graph: entry node
 *              level 0:   offsets[size + 1], neighbours[offsets[size]]
 *              level l>0: count, nodes[count] (ascending), offsets[count + 1], neighbours[offsets[count]]
 *   CRC-32C of every byte before it (8, as an unsigned value)
 * </pre>
 *
 * A reader checks the checksum first, then every field and array bound, so a damaged or truncated
 * file is refused with a message (and rebuilt by the caller) rather than searched.
 */
final class HnswIndexFile {
  static final byte[] MAGIC = "RCHNSW1\0".getBytes(StandardCharsets.US_ASCII);
  static final int FORMAT = 1;
  static final int HEADER_BYTES = 52;

  /** What a file must hold to be used: the parameters and vectors the caller has now. */
  record Header(
      int rows,
      int nodes,
      int dimension,
      int m,
      int efConstruction,
      int tierRatio,
      int tiers,
      long fingerprint) {}

  private HnswIndexFile() {}

  /**
   * Writes to a temporary file beside {@code file}, syncs, then renames it over {@code file};
   * {@code graphs[t]} is null for a tier without a graph.
   */
  static void write(Path file, Header h, int[] sizes, CompactGraph[] graphs) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
    try {
      try (FileChannel ch =
          FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        CRC32C crc = new CRC32C();
        LeWriter out = new LeWriter(ch, crc::update);
        out.bytes(MAGIC);
        out.putInt(FORMAT);
        out.putInt(h.rows());
        out.putInt(h.nodes());
        out.putInt(h.dimension());
        out.putInt(h.m());
        out.putInt(h.efConstruction());
        out.putInt(h.tierRatio());
        out.putInt(h.tiers());
        out.putInt(0);
        out.putLong(h.fingerprint());
        for (int t = 0; t < sizes.length; t++) {
          CompactGraph g = graphs[t];
          out.putInt(sizes[t]);
          out.putInt(g == null ? 0 : g.numLevels());
          if (g == null) {
            continue;
          }
          out.putInt(g.entryNode);
          for (int l = 0; l < g.numLevels(); l++) {
            CompactGraph.Level level = g.levels[l];
            if (l > 0) {
              out.putInt(level.count());
              out.ints(level.nodes);
            }
            out.ints(level.offsets);
            out.ints(level.neighbours);
          }
        }
        out.flush();
        out.trailer(crc.getValue()); // the CRC-32C of every byte before it
        ch.force(true);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Reads and checks a file written by {@link #write} against the header and tier layout the caller
   * expects; returns one graph per tier (null where the layout has none). Throws naming the
   * problem.
   */
  static CompactGraph[] read(Path file, Header expected, HnswIndex.TierLayout layout)
      throws IOException {
    try (LeReader<IOException> in = new LeReader<>(file, "HNSW index " + file, IOException::new)) {
      long size = in.size();
      if (size < HEADER_BYTES + 8) {
        throw in.error("truncated: " + size + " bytes, shorter than a header");
      }
      CRC32C crc = new CRC32C();
      in.checksum(crc, 0, size - 8);
      long stored = in.window(size - 8, 8).getLong(0);
      if (stored != crc.getValue()) {
        throw in.error("checksum mismatch (damaged or truncated)");
      }
      if (!Arrays.equals(in.bytes(MAGIC.length), MAGIC)) {
        throw in.error("not an HNSW index file (bad magic)");
      }
      int format = in.getInt();
      if (format != FORMAT) {
        throw in.error("format " + format + ", this reader reads " + FORMAT);
      }
      int[] f = new int[7];
      for (int i = 0; i < f.length; i++) {
        f[i] = in.getInt();
      }
      in.getInt();
      Header found = new Header(f[0], f[1], f[2], f[3], f[4], f[5], f[6], in.getLong());
      if (!found.equals(expected)) {
        throw in.error("built for " + found + ", expected " + expected);
      }
      CompactGraph[] graphs = new CompactGraph[layout.count()];
      for (int t = 0; t < layout.count(); t++) {
        int tierSize = in.getInt();
        int numLevels = in.getInt();
        if (tierSize != layout.rows(t).length || (numLevels > 0) != layout.hasGraph(t)) {
          throw in.error(
              "tier "
                  + t
                  + ": "
                  + tierSize
                  + " rows"
                  + (numLevels > 0 ? " with" : " without")
                  + " a graph, the vectors give "
                  + layout.rows(t).length
                  + (layout.hasGraph(t) ? " with" : " without"));
        }
        if (numLevels > 0) {
          graphs[t] = readGraph(in, "tier " + t, tierSize, numLevels);
        }
      }
      if (in.position() > size - 8) {
        throw in.error("truncated: the tiers run into the checksum");
      }
      if (in.position() != size - 8) {
        throw in.error((size - 8 - in.position()) + " bytes after the last tier");
      }
      return graphs;
    }
  }

  private static CompactGraph readGraph(
      LeReader<IOException> in, String where, int rows, int numLevels) throws IOException {
    int entry = in.getInt();
    if (numLevels > 64 || entry < 0 || entry >= rows) {
      throw in.error(where + ": bad graph header: " + numLevels + " levels, entry node " + entry);
    }
    CompactGraph.Level[] levels = new CompactGraph.Level[numLevels];
    int[] previous = null;
    for (int l = 0; l < numLevels; l++) {
      String at = where + " level " + l;
      int[] nodes = null;
      int count = rows;
      if (l > 0) {
        count = count(in, rows, in.getInt(), at + " node count");
        nodes = in.ints(count);
        for (int i = 0; i < count; i++) {
          if (nodes[i] < 0 || nodes[i] >= rows || (i > 0 && nodes[i] <= nodes[i - 1])) {
            throw in.error(at + ": node ids not ascending within [0, " + rows + ")");
          }
          // A node on level l is on every level below it: the search descends through them.
          if (previous != null && Arrays.binarySearch(previous, nodes[i]) < 0) {
            throw in.error(at + ": node " + nodes[i] + " missing from the level below");
          }
        }
      }
      int[] offsets = in.ints(count + 1);
      if (offsets[0] != 0) {
        throw in.error(at + ": offsets do not start at 0");
      }
      for (int i = 0; i < count; i++) {
        if (offsets[i + 1] < offsets[i]) {
          throw in.error(at + ": offsets decrease");
        }
      }
      int[] neighbours = in.ints(count(in, Integer.MAX_VALUE, offsets[count], at + " edge count"));
      for (int nb : neighbours) {
        if (nb < 0 || nb >= rows || (nodes != null && Arrays.binarySearch(nodes, nb) < 0)) {
          throw in.error(at + ": neighbour " + nb + " is not a node of the level");
        }
      }
      levels[l] = new CompactGraph.Level(nodes, offsets, neighbours);
      previous = nodes;
    }
    if (numLevels > 1 && Arrays.binarySearch(levels[numLevels - 1].nodes, entry) < 0) {
      throw in.error(where + ": entry node " + entry + " is not on the top level");
    }
    return new CompactGraph(rows, entry, levels);
  }

  private static int count(LeReader<IOException> in, int max, int v, String what)
      throws IOException {
    if (v < 0 || v > max) {
      throw in.error(what + " " + v + " outside [0, " + max + "]");
    }
    return v;
  }
}
