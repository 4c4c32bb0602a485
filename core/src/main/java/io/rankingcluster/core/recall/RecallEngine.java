package io.rankingcluster.core.recall;

import io.rankingcluster.core.ItemKind;
import io.rankingcluster.core.catalog.Catalog;
import io.rankingcluster.core.pipeline.StageException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a shard's channels for a query and merges their candidates: de-duplicated by item (keeping
 * every channel that found it in the mask, and the best channel score), then cut to each kind's
 * limit by score. A channel that fails at run time ({@link StageException}), is refused a thread or
 * misses its deadline is dropped and reported; it never fails the whole recall. Any other exception
 * of a channel is a bug: it is rethrown, and the recall fails with it.
 */
public final class RecallEngine {
  private final Catalog catalog;
  private final List<BoundChannel> channels;

  /** Per-thread scratch of catalog size: merge without allocating per request. */
  private final ThreadLocal<Scratch> scratch;

  public RecallEngine(Catalog catalog, List<BoundChannel> channels) {
    this.catalog = catalog;
    this.channels = List.copyOf(channels);
    this.scratch = ThreadLocal.withInitial(() -> new Scratch(catalog.size()));
  }

  /**
   * The catalog-only standard channels (popular, category, fresh, live_now) over a catalog, limit
   * 800 each.
   */
  public static RecallEngine standard(Catalog catalog) {
    ShardResources shard =
        new ShardResources(
            catalog,
            io.rankingcluster.core.embed.Embeddings.empty(catalog.size()),
            null,
            catalog.ids,
            () -> {
              throw new IllegalStateException(
                  "no embeddings: the standard engine has no embedding search");
            });
    return new RecallEngine(
        catalog,
        ChannelRegistry.build(
            ChannelRegistry.standard().select("popular,category,fresh,live_now", 800, 800), shard));
  }

  public Catalog catalog() {
    return catalog;
  }

  /** The channels, in merge order. */
  public List<BoundChannel> channels() {
    return channels;
  }

  /** The limits of a request that sets none: every channel's default, indexed by channel number. */
  public int[] defaultLimits() {
    int[] out = new int[Channel.MAX_NUMBER + 1];
    for (BoundChannel c : channels) {
      out[c.channel().number()] = c.defaultLimit();
    }
    return out;
  }

  /** What one channel did. */
  public record ChannelReport(Channel channel, int candidates, float latencyMs, String failure) {}

  /** Merged candidates plus a report per channel. */
  public record Result(Candidates candidates, List<ChannelReport> channels) {}

  /**
   * Runs every channel with its limit ({@code channelLimits[channel.number()]}; 0 skips the
   * channel) on this thread, and merges.
   */
  public Result recall(RecallQuery query, int[] channelLimits) {
    List<ChannelReport> reports = new ArrayList<>(channels.size());
    List<CandidateSink> sinks = new ArrayList<>(channels.size());
    List<Channel> done = new ArrayList<>(channels.size());
    for (BoundChannel c : channels) {
      int limit = channelLimits[c.channel().number()];
      if (limit <= 0) {
        continue;
      }
      long start = System.nanoTime();
      CandidateSink sink = new CandidateSink(query, limit);
      String failure = "";
      try {
        c.source().fetch(query, sink);
        sinks.add(sink);
        done.add(c.channel());
      } catch (StageException e) {
        failure = failure(e);
      }
      float ms = (System.nanoTime() - start) / 1e6f;
      reports.add(new ChannelReport(c.channel(), failure.isEmpty() ? sink.size() : 0, ms, failure));
    }
    return new Result(merge(query, sinks, done), reports);
  }

  /**
   * Runs the channels in parallel on {@code executor}, each until its own deadline: {@code
   * budgetNanos} from now times the channel's share ({@code shares[channel.number()]}, in (0, 1]).
   * A channel that fails at run time, is refused by the executor, or has not finished by its
   * deadline is dropped and reported; its late results are never used (its sink is closed, so it
   * stops at its next offer). Then merges what arrived.
   */
  public Result recall(
      RecallQuery query,
      int[] channelLimits,
      double[] shares,
      long budgetNanos,
      Executor executor) {
    long start = System.nanoTime();
    List<BoundChannel> running = new ArrayList<>();
    List<CandidateSink> sinks = new ArrayList<>();
    List<CompletableFuture<Void>> futures = new ArrayList<>();
    List<ChannelReport> reports = new ArrayList<>();
    long[] finishedAt = new long[channels.size()];
    for (BoundChannel c : channels) {
      int limit = channelLimits[c.channel().number()];
      if (limit <= 0) {
        continue;
      }
      CandidateSink sink = new CandidateSink(query, limit);
      int k = running.size();
      CompletableFuture<Void> f;
      try {
        f =
            CompletableFuture.runAsync(
                () -> {
                  c.source().fetch(query, sink);
                  finishedAt[k] = System.nanoTime();
                },
                executor);
      } catch (RejectedExecutionException e) {
        f =
            CompletableFuture.failedFuture(
                new StageException("unavailable", "no thread free for the channel (overloaded)"));
      }
      running.add(c);
      sinks.add(sink);
      futures.add(f);
    }
    List<CandidateSink> done = new ArrayList<>();
    List<Channel> doneChannels = new ArrayList<>();
    RuntimeException bug = null;
    for (int k = 0; k < running.size(); k++) {
      Channel channel = running.get(k).channel();
      long deadline =
          start + (long) (budgetNanos * Math.min(1.0, Math.max(0.0, shares[channel.number()])));
      String failure = "";
      try {
        futures.get(k).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        failure = "deadline_exceeded: no answer within its share of the budget";
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof StageException se) {
          failure = failure(se);
        } else if (cause instanceof RuntimeException re) {
          bug = bug == null ? re : bug;
          failure = "bug";
        } else if (cause instanceof Error err) {
          throw err;
        } else {
          bug = bug == null ? new IllegalStateException(cause) : bug;
          failure = "bug";
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failure = "interrupted";
      }
      if (failure.isEmpty()) {
        done.add(sinks.get(k));
        doneChannels.add(channel);
        reports.add(
            new ChannelReport(channel, sinks.get(k).size(), (finishedAt[k] - start) / 1e6f, ""));
      } else {
        sinks.get(k).close();
        reports.add(new ChannelReport(channel, 0, (System.nanoTime() - start) / 1e6f, failure));
      }
    }
    if (bug != null) {
      // Never hidden as a dropped channel: the call fails, and the service answers INTERNAL and
      // logs it.
      throw bug;
    }
    return new Result(merge(query, done, doneChannels), reports);
  }

  /**
   * A runtime failure as ChannelStats.failure: "unavailable: ..." for a refused thread, else
   * "failed: ...".
   */
  private static String failure(StageException e) {
    return e.code().equals("unavailable") || e.code().equals("deadline_exceeded")
        ? e.getMessage()
        : "failed: " + e.getMessage();
  }

  /**
   * Where catalog row {@code row} stands in every channel for the query (limits as in {@link
   * #recall}).
   */
  public List<Explained> explain(RecallQuery query, int row, int[] channelLimits) {
    List<Explained> out = new ArrayList<>();
    for (BoundChannel c : channels) {
      int limit = channelLimits[c.channel().number()];
      if (limit > 0) {
        out.add(new Explained(c.channel(), limit, c.source().explain(query, row, limit)));
      }
    }
    return out;
  }

  /** One channel's verdict on one item. */
  public record Explained(Channel channel, int limit, CandidateSource.Verdict verdict) {}

  private Candidates merge(RecallQuery query, List<CandidateSink> sinks, List<Channel> channels) {
    Scratch s = scratch.get();
    s.generation++;
    int total = 0;
    for (CandidateSink sink : sinks) {
      total += sink.size;
    }
    int[] rows = new int[total];
    float[] best = new float[total];
    int[] masks = new int[total];
    int n = 0;
    for (int k = 0; k < sinks.size(); k++) {
      CandidateSink sink = sinks.get(k);
      int bit = channels.get(k).bit();
      for (int j = 0; j < sink.size; j++) {
        int row = sink.rows[j];
        int at;
        if (s.stamp[row] == s.generation) {
          at = s.slot[row];
        } else {
          s.stamp[row] = s.generation;
          s.slot[row] = at = n++;
          rows[at] = row;
        }
        masks[at] |= bit;
        best[at] = Math.max(best[at], sink.scores[j]);
      }
    }
    // Order by score; ties keep first-found order, which is deterministic (channels run in list
    // order).
    int[] order = io.rankingcluster.core.Order.byScoreDescending(best, n);
    int[] taken = new int[ItemKind.COUNT];
    long[] ids = new long[n];
    byte[] kinds = new byte[n];
    float[] scores = new float[n];
    int[] outMasks = new int[n];
    int m = 0;
    for (int i = 0; i < n; i++) {
      int at = order[i];
      int row = rows[at];
      byte kind = catalog.kinds[row];
      if (taken[kind - 1] >= query.kindLimit(kind)) {
        continue;
      }
      taken[kind - 1]++;
      ids[m] = catalog.ids[row];
      kinds[m] = kind;
      scores[m] = best[at];
      outMasks[m] = masks[at];
      m++;
    }
    return new Candidates(ids, kinds, scores, outMasks, m);
  }

  private static final class Scratch {
    final int[] stamp;
    final int[] slot;
    int generation;

    Scratch(int size) {
      stamp = new int[size];
      slot = new int[size];
    }
  }
}
