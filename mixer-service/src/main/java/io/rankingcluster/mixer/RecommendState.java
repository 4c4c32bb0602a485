package io.rankingcluster.mixer;

import io.rankingcluster.core.experiment.ExperimentRouter;
import io.rankingcluster.core.pipeline.PipelineState;
import io.rankingcluster.core.pipeline.Trace;
import io.rankingcluster.proto.v1.RequestContext;
import io.rankingcluster.proto.v1.UserFeatures;

/**
 * One Recommend as its pipeline carries it: the parsed request and its budget, then what the
 * components add (the pinned snapshot, the arm and its blend rules, the user's state and what goes
 * down to the stages, the channel names the shards reported, the models that scored, the next-page
 * token).
 */
final class RecommendState extends PipelineState {
  final Request request;
  final Budget budget;

  /** The snapshot version of this request, pinned at its start. */
  MixerData data;

  ExperimentRouter.Arm arm;
  BlendSettings.Named rules;
  UserState user;

  /**
   * The context every stage call carries: the request's, with the pinned version, arm models,
   * country, time.
   */
  RequestContext downstream;

  UserFeatures features;

  /**
   * Channel names by channel-mask bit, as the shards reported them ({@code null} where none did).
   */
  final String[] channelNames = new String[32];

  String prerankModelVersion = "";
  String rankModelVersion = "";

  /**
   * True when rank did not answer: the order is prerank's (its fallback), values are the previous
   * scores.
   */
  boolean rankFellBack;

  String nextPageToken = "";

  /** The share of the full recall and rank quotas this request asks for ({@link QualityFactor}). */
  double qualityFactor = 1.0;

  /**
   * True when no recall shard answered and the candidates are the snapshot's popular list for the
   * request's country ({@link LastResort}): every placement is then "last_resort".
   */
  boolean lastResort;

  RecommendState(Request request, Budget budget, Trace trace) {
    super(trace);
    this.request = request;
    this.budget = budget;
  }

  /**
   * The channel-mask bit of channel {@code name} as the shards reported it, 0 when no shard ran it.
   */
  int channelBit(String name) {
    for (int b = 0; b < channelNames.length; b++) {
      if (name.equals(channelNames[b])) {
        return 1 << b;
      }
    }
    return 0;
  }

  /**
   * A validated request: the client's context, the id of this request, page size, the kinds allowed
   * ({@code [kind index]}), which page and the ids served on earlier ones, country index (-1 none)
   * and time.
   */
  record Request(
      RequestContext context,
      String requestId,
      int pageSize,
      boolean[] allowedKinds,
      int page,
      long[] served,
      int country,
      long clientTimeMs) {}

  /**
   * A user's state for one snapshot version: profile row (-1 unknown), recent items, and what is
   * sent down.
   */
  record UserState(int row, long[] recent, UserFeatures features) {}
}
