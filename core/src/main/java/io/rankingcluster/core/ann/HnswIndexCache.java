package io.rankingcluster.core.ann;

import io.rankingcluster.core.embed.Embeddings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Gets a shard's HNSW index the cheap way: loads it from a cache file, or builds it (when the file
 * is absent, damaged, truncated, or made for other vectors or parameters) and writes the file for
 * the next start. The file is only a cache: any problem with it costs a rebuild, never the start; a
 * folder that cannot be written costs only the next start's time.
 */
public final class HnswIndexCache {
  private HnswIndexCache() {}

  /** How the index was obtained. */
  public enum Source {
    /** Read from the cache file. */
    LOADED,
    /** Built: no cache file existed. */
    BUILT,
    /** Built: a cache file existed but could not be used ({@link Result#note()} says why). */
    REBUILT
  }

  /**
   * The index, where it came from, and a note for the log: why a file was not used or not written
   * (empty when nothing went wrong).
   */
  public record Result(HnswIndex index, Source source, long millis, String note) {}

  /**
   * Loads {@code file} if it holds a usable index over {@code items} with {@code params}; else
   * builds and saves.
   */
  public static Result loadOrBuild(
      Path file, Embeddings items, HnswIndex.Params params, int buildThreads) {
    long start = System.nanoTime();
    String note = "";
    Source source = Source.BUILT;
    if (Files.exists(file)) {
      try {
        HnswIndex index = HnswIndex.load(file, items, params);
        return new Result(index, Source.LOADED, elapsedMs(start), "");
      } catch (NoSuchFileException e) {
        // Deleted between the two calls: a plain build.
      } catch (IOException | RuntimeException e) {
        // A damaged cache file is the cache's problem, not the shard's: rebuild it.
        source = Source.REBUILT;
        note = "cached index unusable, rebuilt: " + e.getMessage();
      }
    }
    HnswIndex index = HnswIndex.build(items, params, buildThreads);
    try {
      index.save(file);
    } catch (IOException | RuntimeException e) {
      note = (note.isEmpty() ? "" : note + "; ") + "index not cached (" + file + "): " + e;
    }
    return new Result(index, source, elapsedMs(start), note);
  }

  private static long elapsedMs(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }
}
