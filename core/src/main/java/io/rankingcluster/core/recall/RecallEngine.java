package io.rankingcluster.core.recall;

import io.rankingcluster.core.ItemKind;
import io.rankingcluster.core.catalog.Catalog;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a shard's channels for a query and merges their candidates: de-duplicated by item (keeping every
 * channel that found it in the mask, and the best channel score), then cut to each kind's limit by score.
 * A channel that throws is dropped and reported; it never fails the whole recall.
 */
public final class RecallEngine {
  private final Catalog catalog;
  private final List<CandidateSource> sources;
  /** Per-thread scratch of catalog size: merge without allocating per request. */
  private final ThreadLocal<Scratch> scratch;

  public RecallEngine(Catalog catalog, List<CandidateSource> sources) {
    this.catalog = catalog;
    this.sources = List.copyOf(sources);
    this.scratch = ThreadLocal.withInitial(() -> new Scratch(catalog.size()));
  }

  /** The standard channels over a catalog. */
  public static RecallEngine standard(Catalog catalog) {
    return new RecallEngine(catalog, List.of(new PopularCandidateSource(catalog), new CategoryCandidateSource(catalog),
        new FreshCandidateSource(catalog), new LiveNowCandidateSource(catalog)));
  }

  public Catalog catalog() {
    return catalog;
  }

  public List<CandidateSource> sources() {
    return sources;
  }

  /** What one channel did. */
  public record ChannelReport(Channel channel, int candidates, float latencyMs, String failure) {}

  /** Merged candidates plus a report per channel. */
  public record Result(Candidates candidates, List<ChannelReport> channels) {}

  /**
   * Runs every channel with its limit ({@code channelLimits[channel.number()]}; 0 skips the channel) and
   * merges.
   */
  public Result recall(RecallQuery query, int[] channelLimits) {
    List<ChannelReport> reports = new ArrayList<>(sources.size());
    List<CandidateSink> sinks = new ArrayList<>(sources.size());
    for (CandidateSource source : sources) {
      int limit = channelLimits[source.channel().number()];
      if (limit <= 0) {
        continue;
      }
      long start = System.nanoTime();
      CandidateSink sink = new CandidateSink(query, limit);
      String failure = "";
      try {
        source.fetch(query, sink);
        sinks.add(sink);
      } catch (RuntimeException e) {
        failure = "failed: " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
      }
      float ms = (System.nanoTime() - start) / 1e6f;
      reports.add(new ChannelReport(source.channel(), failure.isEmpty() ? sink.size() : 0, ms, failure));
    }
    return new Result(merge(query, sinks, reportsChannels(reports)), reports);
  }

  /**
   * Runs the channels in parallel on {@code executor}, each until its own deadline: {@code budgetNanos} from
   * now times the channel's share ({@code shares[channel.number()]}, in (0, 1]). A channel that throws, is
   * refused by the executor, or has not finished by its deadline is dropped and reported; its late results
   * are never used (its sink is closed, so it stops at its next offer). Then merges what arrived.
   */
  public Result recall(RecallQuery query, int[] channelLimits, double[] shares, long budgetNanos, Executor executor) {
    long start = System.nanoTime();
    List<CandidateSource> running = new ArrayList<>();
    List<CandidateSink> sinks = new ArrayList<>();
    List<CompletableFuture<Void>> futures = new ArrayList<>();
    List<ChannelReport> reports = new ArrayList<>();
    long[] finishedAt = new long[sources.size()];
    for (CandidateSource source : sources) {
      int limit = channelLimits[source.channel().number()];
      if (limit <= 0) {
        continue;
      }
      CandidateSink sink = new CandidateSink(query, limit);
      int k = running.size();
      CompletableFuture<Void> f;
      try {
        f = CompletableFuture.runAsync(() -> {
          source.fetch(query, sink);
          finishedAt[k] = System.nanoTime();
        }, executor);
      } catch (RejectedExecutionException e) {
        f = CompletableFuture.failedFuture(new IllegalStateException("no thread free for the channel (overloaded)"));
      }
      running.add(source);
      sinks.add(sink);
      futures.add(f);
    }
    List<CandidateSink> done = new ArrayList<>();
    List<Channel> doneChannels = new ArrayList<>();
    for (int k = 0; k < running.size(); k++) {
      Channel channel = running.get(k).channel();
      long deadline = start + (long) (budgetNanos * Math.min(1.0, Math.max(0.0, shares[channel.number()])));
      String failure = "";
      try {
        futures.get(k).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        failure = "deadline_exceeded: no answer within its share of the budget";
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        failure = "failed: " + cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failure = "interrupted";
      }
      if (failure.isEmpty()) {
        done.add(sinks.get(k));
        doneChannels.add(channel);
        reports.add(new ChannelReport(channel, sinks.get(k).size(), (finishedAt[k] - start) / 1e6f, ""));
      } else {
        sinks.get(k).close();
        reports.add(new ChannelReport(channel, 0, (System.nanoTime() - start) / 1e6f, failure));
      }
    }
    return new Result(merge(query, done, doneChannels), reports);
  }

  private static List<Channel> reportsChannels(List<ChannelReport> reports) {
    List<Channel> ok = new ArrayList<>();
    for (ChannelReport r : reports) {
      if (r.failure().isEmpty()) {
        ok.add(r.channel());
      }
    }
    return ok;
  }

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
    // Order by score; ties keep first-found order, which is deterministic (channels run in list order).
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
