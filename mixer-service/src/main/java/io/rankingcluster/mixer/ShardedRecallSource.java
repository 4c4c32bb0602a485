package io.rankingcluster.mixer;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.Status;
import io.rankingcluster.core.ItemKind;
import io.rankingcluster.core.pipeline.CandidateTable;
import io.rankingcluster.core.pipeline.FailPolicy;
import io.rankingcluster.core.pipeline.Source;
import io.rankingcluster.core.pipeline.StageException;
import io.rankingcluster.core.pipeline.Trace;
import io.rankingcluster.proto.v1.CandidateBlock;
import io.rankingcluster.proto.v1.ChannelStats;
import io.rankingcluster.proto.v1.KindLimit;
import io.rankingcluster.proto.v1.RecallRequest;
import io.rankingcluster.proto.v1.RecallResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Recall fan-out: the request goes to every shard in parallel with its share of the quotas (global
 * quota / shards x the over-fetch factor) and the ids served on earlier pages to leave out; the
 * answers are merged by recall score (shards own disjoint items and score alike). Each shard fails
 * open: a shard that is refused by its guard, fails or misses the budget costs its candidates and
 * adds a degraded reason "recall_shard_N", and a channel a shard dropped adds "channel_<name>". The
 * quotas are scaled by the request's quality factor ({@link QualityFactor}).
 *
 * <p>When no shard answers (all down, every breaker open, every one late), the source fails open to
 * the last resort ({@link LastResort}): the snapshot's popular list for the request's country, with
 * the degraded reason {@code recall: last_resort} whose detail keeps the failure (deadline_exceeded
 * when every shard ran out of time, else unavailable). Only a mixer without a snapshot fails the
 * request (UNAVAILABLE).
 */
final class ShardedRecallSource implements Source<RecommendState> {
  private final Stages stages;
  private final MixerConfig options;

  ShardedRecallSource(Stages stages, MixerConfig options) {
    this.stages = stages;
    this.options = options;
  }

  @Override
  public String id() {
    return "recall";
  }

  @Override
  public FailPolicy<RecommendState> failPolicy() {
    return FailPolicy.open(
        "answered from the snapshot's popular items for the request's country",
        LastResort.CAUSE,
        this::lastResort);
  }

  private void lastResort(RecommendState s) {
    if (s.data == null) {
      throw new StageException(
          "unavailable", "no recall shard answered and the mixer holds no snapshot");
    }
    boolean[] allowed = s.request.allowedKinds();
    int[] perKind = options.recallPerKind();
    for (ItemKind k : ItemKind.values()) {
      int i = k.index();
      perKind[i] = allowed[i] ? QualityFactor.scaled(perKind[i], s.qualityFactor, 1) : 0;
    }
    s.setCandidates(
        s.data
            .lastResort()
            .candidates(
                s.request.country(), s.request.clientTimeMs(), s.request.served(), perKind));
    s.lastResort = true;
  }

  @Override
  public CandidateTable fetch(RecommendState s) {
    Trace trace = s.trace();
    int shards = stages.shards();
    long nanos = s.budget.stageNanos(Budget.RECALL);
    trace.detail("budget " + TimeUnit.NANOSECONDS.toMillis(nanos) + " ms, shards " + shards);
    RecallRequest request = request(s, shards);
    List<ListenableFuture<RecallResponse>> futures = new ArrayList<>(shards);
    AtomicBoolean[] cancelledByUs = new AtomicBoolean[shards];
    // Each shard's own latency, from its call to its answer: the answers are collected one after
    // the other, so the time spent waiting for shard s would include the shards before it.
    long[] sentAt = new long[shards];
    AtomicLongArray answeredAt = new AtomicLongArray(shards);
    for (int shard = 0; shard < shards; shard++) {
      Guard guard = stages.recallGuards.get(shard);
      Guard.Refusal refusal = guard.enter();
      if (refusal != Guard.Refusal.NONE) {
        futures.add(null);
        trace.degrade(
            shardStage(shard), refusal.cause, "shard's candidates lost (" + refusal.cause + ")");
        continue;
      }
      long start = System.nanoTime();
      sentAt[shard] = start;
      int at = shard;
      AtomicBoolean ours = new AtomicBoolean();
      cancelledByUs[shard] = ours;
      ListenableFuture<RecallResponse> f = stages.recall(shard, request, nanos);
      Futures.addCallback(
          f,
          new FutureCallback<>() {
            @Override
            public void onSuccess(RecallResponse result) {
              answeredAt.set(at, System.nanoTime());
              guard.exit(start, Status.OK);
            }

            @Override
            public void onFailure(Throwable t) {
              if (ours.get() || t instanceof CancellationException) {
                guard.exitUnjudged();
              } else {
                GuardedCall.judge(
                    guard, start, nanos, options.minStageBudgetMs(), Status.fromThrowable(t));
              }
            }
          },
          MoreExecutors.directExecutor());
      futures.add(f);
    }
    List<RecallResponse> answers = new ArrayList<>(shards);
    boolean allDeadline = true;
    for (int shard = 0; shard < shards; shard++) {
      ListenableFuture<RecallResponse> future = futures.get(shard);
      if (future == null) {
        allDeadline = false;
        continue;
      }
      try {
        // The call's own deadline ends it; the extra wait only guards against a lost completion.
        RecallResponse answer =
            future.get(nanos + TimeUnit.MILLISECONDS.toNanos(20), TimeUnit.NANOSECONDS);
        answers.add(answer);
        allDeadline = false;
        trace.checkVersion(
            shardStage(shard), s.downstream.getSnapshotVersion(), answer.getSnapshotVersion());
        // The callback may run just after get() returns; then now is within microseconds of the
        // answer.
        long answered = answeredAt.get(shard) != 0 ? answeredAt.get(shard) : System.nanoTime();
        trace.stage(
            shardStage(shard),
            sentAt[shard],
            answered,
            0,
            answer.getCandidates().getItemIdsCount(),
            "");
        channels(s, shard, answer);
      } catch (ExecutionException e) {
        Status status = Status.fromThrowable(e.getCause());
        allDeadline &= status.getCode() == Status.Code.DEADLINE_EXCEEDED;
        trace.degrade(
            shardStage(shard),
            GuardedCall.cause(status),
            "shard's candidates lost"
                + (status.getDescription() == null ? "" : " (" + status.getDescription() + ")"));
      } catch (TimeoutException e) {
        cancelledByUs[shard].set(true);
        future.cancel(true);
        trace.degrade(shardStage(shard), "deadline_exceeded", "shard's candidates lost");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        for (int r = 0; r < shards; r++) {
          if (futures.get(r) != null) {
            cancelledByUs[r].set(true);
            futures.get(r).cancel(true);
          }
        }
        throw Status.CANCELLED.withDescription("interrupted").asRuntimeException();
      }
    }
    if (answers.isEmpty() && shards > 0) {
      throw new StageException(
          allDeadline ? "deadline_exceeded" : "unavailable",
          "no shard answered (" + trace.describeReasons() + ")");
    }
    return merge(answers);
  }

  private RecallRequest request(RecommendState s, int shards) {
    RecallRequest.Builder req =
        RecallRequest.newBuilder().setContext(s.downstream).setUser(s.features);
    boolean[] allowed = s.request.allowedKinds();
    int[] quota = options.recallPerKind();
    for (ItemKind k : ItemKind.values()) {
      int perShard =
          allowed[k.index()]
              ? (int) Math.ceil(quota[k.index()] * options.overFetch() * s.qualityFactor / shards)
              : 0;
      // A kind the request excludes is asked with the smallest limit (limit 0 means default); the
      // kinds filter drops it.
      req.addKindLimits(
          KindLimit.newBuilder().setKindValue(k.code()).setLimit(Math.max(perShard, 1)));
    }
    for (long id : s.request.served()) {
      req.addExcludeItemIds(id);
    }
    return req.build();
  }

  /**
   * Learns the shard's channel names by mask bit; a channel the shard dropped degrades the page,
   * naming it.
   */
  private static void channels(RecommendState s, int shard, RecallResponse answer) {
    for (ChannelStats c : answer.getChannelStatsList()) {
      String name = c.getName().isEmpty() ? standardName(c.getChannelValue()) : c.getName();
      int bit = c.getMaskBit() != 0 ? c.getMaskBit() : c.getChannelValue();
      if (name != null && bit > 0 && bit < 32 && s.channelNames[bit] == null) {
        s.channelNames[bit] = name;
      }
      if (!c.getFailure().isEmpty()) {
        String failure = c.getFailure();
        int colon = failure.indexOf(':');
        String cause = colon > 0 ? failure.substring(0, colon).trim() : "failed";
        s.trace()
            .degrade(
                "channel_" + (name == null ? Integer.toString(bit) : name),
                cause,
                "shard " + shard + ": " + failure + "; the channel's candidates are missing");
      }
    }
  }

  /** Names of the six standard channels, for a shard of an older build that sends only the enum. */
  private static String standardName(int number) {
    return switch (number) {
      case 1 -> "ann";
      case 2 -> "item_to_item";
      case 3 -> "popular";
      case 4 -> "category";
      case 5 -> "fresh";
      case 6 -> "live_now";
      default -> null;
    };
  }

  /**
   * The shards' candidates in one table ordered by recall score (ties: shard order, then the
   * shard's order).
   */
  private static CandidateTable merge(List<RecallResponse> answers) {
    int total = 0;
    for (RecallResponse r : answers) {
      total += r.getCandidates().getItemIdsCount();
    }
    CandidateTable t = new CandidateTable(total);
    for (RecallResponse r : answers) {
      CandidateBlock b = r.getCandidates();
      boolean masks = b.getChannelMasksCount() == b.getItemIdsCount();
      for (int i = 0; i < b.getItemIdsCount(); i++) {
        t.add(
            b.getItemIds(i),
            (byte) b.getKindsValue(i),
            masks ? b.getChannelMasks(i) : 0,
            b.getScores(i));
      }
    }
    if (answers.size() == 1) {
      CandidateBlock only = answers.get(0).getCandidates();
      if (sortedWithMasks(only)) {
        // One shard answered with a block already in merge order: prerank gets that very message,
        // not a copy (JFR: the copy's protobuf array growth was the mixer's largest allocation
        // site).
        t.attachWireForm(only);
        return t;
      }
    }
    int[] order = t.orderByScore();
    return t.reorder(order, order.length);
  }

  /** True when scores never increase along the block and every candidate has its channel mask. */
  private static boolean sortedWithMasks(CandidateBlock b) {
    int n = b.getItemIdsCount();
    if (b.getKindsCount() != n || b.getScoresCount() != n || b.getChannelMasksCount() != n) {
      return false;
    }
    for (int i = 1; i < n; i++) {
      if (!(b.getScores(i) <= b.getScores(i - 1))) {
        return false;
      }
    }
    return true;
  }

  static String shardStage(int shard) {
    return "recall_shard_" + shard;
  }
}
