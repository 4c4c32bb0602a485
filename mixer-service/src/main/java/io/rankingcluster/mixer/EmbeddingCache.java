package io.rankingcluster.mixer;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.Context;
import io.rankingcluster.core.ShardFunction;
import io.rankingcluster.proto.v1.GetEmbeddingsRequest;
import io.rankingcluster.proto.v1.GetEmbeddingsResponse;
import io.rankingcluster.proto.v1.RequestContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * Hot item embeddings, fetched from the recall shards that own them and kept in a Caffeine cache
 * bounded by bytes. The mixer needs them for the user vector (the embeddings of the user's recent
 * items) and for the diversity of the page (MMR over the ranked candidates), and does not hold the
 * embedding table itself.
 *
 * <p>Keys carry the snapshot version, so vectors of two versions never mix: a shard that answers
 * from another version than the one asked is not cached (and its vectors are not used). Misses of
 * one lookup are loaded in bulk: one GetEmbeddings per shard that owns any of them, all shards in
 * parallel, under the caller's budget. When a version is seen for the first time the most popular
 * items are loaded in the background ({@link #prewarm}), so that a swap does not send every request
 * to the shards at once.
 */
final class EmbeddingCache {
  private static final Logger LOG = Logger.getLogger(EmbeddingCache.class.getName());

  /**
   * Approximate bytes per entry besides the floats: the key, its string reference and Caffeine's
   * node.
   */
  private static final int ENTRY_OVERHEAD = 96;

  /** At most this many ids per GetEmbeddings call (the recall service's default limit is 2,000). */
  static final int BATCH = 1000;

  record Key(String version, long itemId) {}

  /** Vectors found for a lookup, in request order (null where unknown or not loaded in time). */
  record Lookup(float[][] vectors, int hits, int misses, int loaded, int calls) {}

  private final Cache<Key, float[]> cache;
  private final Stages shards;
  private final Set<String> prewarmed = ConcurrentHashMap.newKeySet();
  private final java.util.concurrent.ScheduledExecutorService background;
  private final AtomicLong calls = new AtomicLong();
  private final long prewarmDeadlineMs;

  EmbeddingCache(Stages shards, long maxBytes, long prewarmDeadlineMs) {
    this.shards = shards;
    this.prewarmDeadlineMs = prewarmDeadlineMs;
    this.cache =
        Caffeine.newBuilder()
            .maximumWeight(maxBytes)
            .weigher((Key k, float[] v) -> ENTRY_OVERHEAD + 4 * v.length)
            .recordStats()
            .build();
    // One background thread: pre-warms are rare (one per snapshot version) and must not compete
    // with requests.
    this.background =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "embedding-prewarm");
              t.setDaemon(true);
              return t;
            });
  }

  Cache<Key, float[]> cache() {
    return cache;
  }

  CacheStats stats() {
    return cache.stats();
  }

  long estimatedSize() {
    return cache.estimatedSize();
  }

  /** GetEmbeddings calls sent so far (lookups and pre-warms). */
  long calls() {
    return calls.get();
  }

  /**
   * Vectors of {@code ids} under {@code version}: cached ones at once, misses with one
   * GetEmbeddings per owning shard, waiting at most {@code nanos} for them.
   */
  Lookup get(String version, long[] ids, int n, long nanos, RequestContext context) {
    float[][] out = new float[n][];
    Map<Integer, List<Integer>> missesByShard = new HashMap<>();
    int hits = 0;
    for (int i = 0; i < n; i++) {
      float[] v = cache.getIfPresent(new Key(version, ids[i]));
      if (v != null) {
        out[i] = v;
        hits++;
      } else {
        missesByShard
            .computeIfAbsent(ShardFunction.shardOf(ids[i], shards.shards()), s -> new ArrayList<>())
            .add(i);
      }
    }
    int misses = n - hits;
    if (misses == 0) {
      return new Lookup(out, hits, 0, 0, 0);
    }
    long deadline = System.nanoTime() + nanos;
    List<ListenableFuture<GetEmbeddingsResponse>> futures = new ArrayList<>();
    List<List<Integer>> positions = new ArrayList<>();
    RequestContext ctx = context.toBuilder().setSnapshotVersion(version).build();
    for (Map.Entry<Integer, List<Integer>> e : missesByShard.entrySet()) {
      List<Integer> at = e.getValue();
      for (int from = 0; from < at.size(); from += BATCH) {
        List<Integer> part = at.subList(from, Math.min(at.size(), from + BATCH));
        GetEmbeddingsRequest.Builder req = GetEmbeddingsRequest.newBuilder().setContext(ctx);
        for (int i : part) {
          req.addItemIds(ids[i]);
        }
        calls.incrementAndGet();
        futures.add(shards.getEmbeddings(e.getKey(), req.build(), Math.max(1, nanos)));
        positions.add(part);
      }
    }
    int loaded = 0;
    for (int f = 0; f < futures.size(); f++) {
      try {
        long left = Math.max(0, deadline - System.nanoTime());
        GetEmbeddingsResponse r =
            futures.get(f).get(left + TimeUnit.MILLISECONDS.toNanos(5), TimeUnit.NANOSECONDS);
        loaded += store(version, r, ids, positions.get(f), out);
      } catch (ExecutionException | TimeoutException e) {
        futures
            .get(f)
            .cancel(
                true); // a lost batch leaves its items without vectors: no diversity term for them
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        futures.forEach(x -> x.cancel(true));
        break;
      }
    }
    return new Lookup(out, hits, misses, loaded, futures.size());
  }

  /**
   * Caches the vectors of one answer when it is of {@code version}; fills {@code out}. Returns
   * vectors stored.
   */
  private int store(
      String version, GetEmbeddingsResponse r, long[] ids, List<Integer> positions, float[][] out) {
    if (!version.equals(r.getSnapshotVersion())) {
      return 0; // another version's vectors: never mixed into this one
    }
    int dim = r.getDimension();
    Map<Long, Integer> found = new HashMap<>(r.getItemIdsCount() * 2);
    for (int j = 0; j < r.getItemIdsCount(); j++) {
      found.put(r.getItemIds(j), j);
    }
    int stored = 0;
    for (int i : positions) {
      Integer j = found.get(ids[i]);
      if (j == null) {
        continue;
      }
      float[] v = new float[dim];
      for (int k = 0; k < dim; k++) {
        v[k] = r.getVectors(j * dim + k);
      }
      cache.put(new Key(version, ids[i]), v);
      out[i] = v;
      stored++;
    }
    return stored;
  }

  /**
   * Loads the vectors of {@code popularIds} for {@code version} in the background, once per
   * version. The shards may still serve the previous version for a while after the mixer swapped:
   * the load is repeated every second until they answer with this version or {@code
   * prewarmDeadlineMs} passes.
   */
  void prewarm(String version, long[] popularIds, RequestContext context) {
    if (popularIds.length == 0 || !prewarmed.add(version)) {
      return;
    }
    long t0 = System.nanoTime();
    background.execute(
        () ->
            prewarmAttempt(
                version,
                popularIds,
                context,
                t0,
                t0 + TimeUnit.MILLISECONDS.toNanos(prewarmDeadlineMs)));
  }

  /**
   * One pre-warm pass; while the shards still answer with another version (they swap at their own
   * pace), the next pass is scheduled a second later, until the deadline.
   */
  private void prewarmAttempt(
      String version, long[] popularIds, RequestContext context, long t0, long until) {
    Context.ROOT.run(
        () -> {
          Lookup l =
              get(version, popularIds, popularIds.length, TimeUnit.SECONDS.toNanos(2), context);
          int have = l.hits() + l.loaded();
          if (have < popularIds.length * 0.99
              && System.nanoTime() < until
              && !background.isShutdown()) {
            background.schedule(
                () -> prewarmAttempt(version, popularIds, context, t0, until), 1, TimeUnit.SECONDS);
            return;
          }
          LOG.info(
              () ->
                  String.format(
                      "embedding cache pre-warmed for %s: %d of %d popular items in %d ms",
                      version,
                      have,
                      popularIds.length,
                      TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)));
        });
  }

  /** True once a pre-warm for {@code version} has been started. */
  boolean prewarmStarted(String version) {
    return prewarmed.contains(version);
  }

  void close() {
    background.shutdownNow();
  }
}
