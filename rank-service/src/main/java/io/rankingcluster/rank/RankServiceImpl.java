package io.rankingcluster.rank;

import io.grpc.stub.StreamObserver;
import io.rankingcluster.common.mapping.ProtoMapping;
import io.rankingcluster.common.mapping.Statuses;
import io.rankingcluster.core.catalog.Catalog;
import io.rankingcluster.core.catalog.CategoryTree;
import io.rankingcluster.core.embed.Embeddings;
import io.rankingcluster.core.model.MultiTaskModel;
import io.rankingcluster.core.model.SnapshotModels;
import io.rankingcluster.core.snapshot.Snapshot;
import io.rankingcluster.core.recall.Candidates;
import io.rankingcluster.core.score.RankScorer;
import io.rankingcluster.core.score.UserSignals;
import io.rankingcluster.core.score.ValueFormula;
import io.rankingcluster.core.user.UserProfiles;
import io.rankingcluster.proto.v1.RankRequest;
import io.rankingcluster.proto.v1.RankResponse;
import io.rankingcluster.proto.v1.RankServiceGrpc;

/** The Rank rpc: validates, computes the heads and values with core's {@link RankScorer}, sorted by value. */
public final class RankServiceImpl extends RankServiceGrpc.RankServiceImplBase {
  private final RankScorer scorer;
  private final CategoryTree tree;
  private final int maxCandidates;

  private final int dimension;

  public RankServiceImpl(Snapshot snapshot, ValueFormula formula, int maxCandidates) {
    this(snapshot.catalog(), snapshot.categories(), snapshot.itemEmbeddings(), SnapshotModels.get(snapshot, "rank"), formula,
        maxCandidates);
  }

  public RankServiceImpl(Catalog catalog, CategoryTree tree, Embeddings itemEmbeddings, MultiTaskModel model,
      ValueFormula formula, int maxCandidates) {
    this.scorer = new RankScorer(catalog, formula, itemEmbeddings, model);
    this.dimension = itemEmbeddings.dimension();
    this.tree = tree;
    this.maxCandidates = maxCandidates;
  }

  @Override
  public void rank(RankRequest request, StreamObserver<RankResponse> out) {
    Candidates in = ProtoMapping.candidates(request.getCandidates(), "candidates", maxCandidates);
    if (in.size == 0) {
      throw Statuses.invalid("candidates.item_ids", "no candidates to rank");
    }
    UserSignals user = ProtoMapping.user(request.getUser(), "user", tree, UserProfiles.MAX_RECENT);
    float[] vector = ProtoMapping.userVector(request.getUser(), "user", dimension);
    long time = ProtoMapping.clientTimeMs(request.getContext(), "context");
    RankScorer.Ranked r = scorer.rank(in, user, vector, time);
    RankResponse.Builder resp = RankResponse.newBuilder().setModelVersion(scorer.modelVersion());
    for (int i = 0; i < r.size(); i++) {
      resp.addItemIds(r.ids()[i]).addKindsValue(r.kinds()[i]).addPClick(r.pClick()[i]).addPConvert(r.pConvert()[i])
          .addWatchSeconds(r.watchSeconds()[i]).addValues(r.values()[i]);
    }
    out.onNext(resp.build());
    out.onCompleted();
  }

  /** Ranks {@code n} batches of the catalog's first items: the warm-up before SERVING. */
  void warmUp(Catalog catalog, UserProfiles users, int n) {
    int size = Math.min(200, catalog.size());
    Candidates batch = new Candidates(java.util.Arrays.copyOf(catalog.ids, size), java.util.Arrays.copyOf(catalog.kinds, size),
        new float[size], new int[size], size);
    for (int i = 0; i < n; i++) {
      long[] recent = users.size() == 0 ? new long[0] : users.recentItems(i % users.size());
      scorer.rank(batch, UserSignals.of(recent, catalog, tree.parentCount(), tree.leavesPerParent()));
    }
  }
}
