package io.rankingcluster.prerank;

import io.grpc.stub.StreamObserver;
import io.rankingcluster.common.mapping.ProtoMapping;
import io.rankingcluster.common.mapping.Statuses;
import io.rankingcluster.core.ItemKind;
import io.rankingcluster.core.catalog.Catalog;
import io.rankingcluster.core.catalog.CategoryTree;
import io.rankingcluster.core.embed.Embeddings;
import io.rankingcluster.core.model.MultiTaskModel;
import io.rankingcluster.core.model.SnapshotModels;
import io.rankingcluster.core.snapshot.Snapshot;
import io.rankingcluster.core.recall.Candidates;
import io.rankingcluster.core.score.PrerankScorer;
import io.rankingcluster.core.score.UserSignals;
import io.rankingcluster.core.user.UserProfiles;
import io.rankingcluster.proto.v1.PrerankRequest;
import io.rankingcluster.proto.v1.PrerankResponse;
import io.rankingcluster.proto.v1.PrerankServiceGrpc;

/** The Prerank rpc: validates, scores with core's {@link PrerankScorer}, keeps the top K per kind. */
public final class PrerankServiceImpl extends PrerankServiceGrpc.PrerankServiceImplBase {
  private final PrerankScorer scorer;
  private final CategoryTree tree;
  private final int[] defaultTopK;
  private final int maxTopK;
  private final int maxCandidates;

  private final int dimension;

  public PrerankServiceImpl(Snapshot snapshot, int[] defaultTopK, int maxTopK, int maxCandidates) {
    this(snapshot.catalog(), snapshot.categories(), snapshot.itemEmbeddings(), SnapshotModels.get(snapshot, "prerank"),
        defaultTopK, maxTopK, maxCandidates);
  }

  public PrerankServiceImpl(Catalog catalog, CategoryTree tree, Embeddings itemEmbeddings, MultiTaskModel model,
      int[] defaultTopK, int maxTopK, int maxCandidates) {
    this.scorer = new PrerankScorer(catalog, itemEmbeddings, model);
    this.dimension = itemEmbeddings.dimension();
    this.tree = tree;
    this.defaultTopK = defaultTopK.clone();
    this.maxTopK = maxTopK;
    this.maxCandidates = maxCandidates;
  }

  @Override
  public void prerank(PrerankRequest request, StreamObserver<PrerankResponse> out) {
    Candidates in = ProtoMapping.candidates(request.getCandidates(), "candidates", maxCandidates);
    if (in.size == 0) {
      throw Statuses.invalid("candidates.item_ids", "no candidates to prerank");
    }
    UserSignals user = ProtoMapping.user(request.getUser(), "user", tree, UserProfiles.MAX_RECENT);
    int[] topK = ProtoMapping.kindLimits(request.getTopKPerKindList(), "top_k_per_kind", defaultTopK, maxTopK);
    float[] vector = ProtoMapping.userVector(request.getUser(), "user", dimension);
    long time = ProtoMapping.clientTimeMs(request.getContext(), "context");
    PrerankScorer.Result result = scorer.topKPerKind(in, user, vector, time, topK);
    PrerankResponse.Builder resp = PrerankResponse.newBuilder()
        .setCandidates(ProtoMapping.block(result.kept()))
        .setModelVersion(scorer.modelVersion());
    for (ItemKind k : ItemKind.values()) {
      if (result.shortKinds()[k.index()]) {
        resp.addShortKindsValue(k.code());
      }
    }
    out.onNext(resp.build());
    out.onCompleted();
  }

  /** Scores {@code n} synthetic batches of the catalog's first items: the warm-up before SERVING. */
  void warmUp(Catalog catalog, UserProfiles users, int n) {
    int size = Math.min(2000, catalog.size());
    Candidates batch = new Candidates(java.util.Arrays.copyOf(catalog.ids, size), java.util.Arrays.copyOf(catalog.kinds, size),
        new float[size], new int[size], size);
    for (int i = 0; i < n; i++) {
      long[] recent = users.size() == 0 ? new long[0] : users.recentItems(i % users.size());
      scorer.topKPerKind(batch, UserSignals.of(recent, catalog, tree.parentCount(), tree.leavesPerParent()), defaultTopK);
    }
  }
}
