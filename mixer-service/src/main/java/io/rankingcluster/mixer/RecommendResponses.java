package io.rankingcluster.mixer;

import io.rankingcluster.core.blend.Blender;
import io.rankingcluster.core.catalog.Catalog;
import io.rankingcluster.core.pipeline.CandidateTable;
import io.rankingcluster.core.pipeline.Trace;
import io.rankingcluster.proto.v1.DebugInfo;
import io.rankingcluster.proto.v1.DegradedReason;
import io.rankingcluster.proto.v1.FeedItem;
import io.rankingcluster.proto.v1.RecallChannel;
import io.rankingcluster.proto.v1.RecommendResponse;
import io.rankingcluster.proto.v1.StageDebug;
import io.rankingcluster.proto.v1.StageScores;
import io.rankingcluster.proto.v1.Versions;

/**
 * A finished Recommend pipeline state as the public answer: the page's items, flags, versions and
 * debug.
 */
final class RecommendResponses {
  private RecommendResponses() {}

  static RecommendResponse of(RecommendState s) {
    Trace trace = s.trace();
    RecommendResponse.Builder resp =
        RecommendResponse.newBuilder().setRequestId(s.request.requestId());
    Blender.Placement[] page = s.page();
    CandidateTable ranked = s.candidates();
    for (int pos = 0; pos < page.length; pos++) {
      int i = page[pos].input();
      // A last-resort page is one rule as a whole: the blend's own rules still chose the slots.
      String rule = s.lastResort ? LastResort.PLACEMENT_RULE : page[pos].rule();
      FeedItem.Builder item = feedItem(s, ranked, i, pos + 1, rule, trace.debug());
      if (trace.debug() && page[pos].displaced() >= 0) {
        item.setDisplacedItemId(ranked.ids[page[pos].displaced()]);
      }
      resp.addItems(item);
    }
    resp.setNextPageToken(s.nextPageToken);
    resp.setDegraded(trace.degraded());
    for (Trace.Degradation d : trace.reasons()) {
      resp.addDegradedReasons(
          DegradedReason.newBuilder()
              .setStage(d.stage())
              .setCause(d.cause())
              .setDetail(d.detail()));
    }
    resp.setVersions(
        Versions.newBuilder()
            .setSnapshotVersion(s.data.version())
            .setPrerankModelVersion(s.prerankModelVersion)
            .setRankModelVersion(s.rankModelVersion)
            .setExperimentArm(s.arm.name())
            .setBlendConfig(s.rules.name()));
    if (trace.debug()) {
      DebugInfo.Builder debug = DebugInfo.newBuilder();
      for (Trace.Stage st : trace.stages()) {
        debug.addStages(
            StageDebug.newBuilder()
                .setStage(st.name())
                .setLatencyMs(st.nanos() / 1e6f)
                .setCandidatesIn(st.in())
                .setCandidatesOut(st.out())
                .setDetail(st.detail()));
      }
      resp.setDebug(debug);
    }
    return resp.build();
  }

  private static FeedItem.Builder feedItem(
      RecommendState s, CandidateTable t, int i, int position, String rule, boolean debug) {
    Catalog catalog = s.data.catalog();
    long id = t.ids[i];
    int row = catalog.index.rowOf(id);
    FeedItem.Builder item =
        FeedItem.newBuilder()
            .setItemId(id)
            .setKindValue(t.kinds[i])
            .setValue(t.values[i])
            .setPosition(position)
            .setPlacementRule(rule);
    if (row >= 0) {
      item.setSellerId(catalog.sellers[row])
          .setCategoryId(catalog.categories[row])
          .setTitle(catalog.titles[row])
          .setPrice(catalog.prices[row]);
    }
    int mask = t.masks[i];
    for (int bit = 1; bit < 32; bit++) {
      if ((mask & (1 << bit)) == 0) {
        continue;
      }
      if (bit <= RecallChannel.RECALL_CHANNEL_LIVE_NOW_VALUE) {
        item.addChannels(RecallChannel.forNumber(bit));
      }
      String name = s.channelNames[bit];
      item.addChannelNames(name != null ? name : "bit_" + bit);
    }
    if (debug) {
      item.setStageScores(
          StageScores.newBuilder()
              .setRecall(t.recallScores[i])
              .setPrerank(Float.isNaN(t.prerankScores[i]) ? 0f : t.prerankScores[i])
              .setPClick(t.pClick[i])
              .setPConvert(t.pConvert[i])
              .setWatchSeconds(t.watchSeconds[i]));
    }
    return item;
  }
}
