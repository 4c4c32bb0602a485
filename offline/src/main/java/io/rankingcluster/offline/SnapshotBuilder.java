package io.rankingcluster.offline;

import io.rankingcluster.core.model.MultiTaskModel;
import io.rankingcluster.core.recall.ItemNeighbours;
import io.rankingcluster.core.snapshot.Snapshot;
import io.rankingcluster.offline.world.DemoWorld;
import io.rankingcluster.offline.world.GroundTruth;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns a demo world into a servable snapshot: the catalog with its statistics, user profiles, item
 * embeddings and user vectors from implicit ALS over all clicks, time-decayed item-to-item
 * neighbours, and the trained prerank and rank models. The ground truth stays behind.
 */
public final class SnapshotBuilder {
  private SnapshotBuilder() {}

  /**
   * @param models settings of the prerank and rank model training, or null to ship no models (the
   *     stages then score with item priors)
   */
  public static Snapshot build(
      DemoWorld world,
      String version,
      ImplicitAls.Config als,
      ItemToItemBuilder.Config i2i,
      ModelTraining.Config models,
      Steps steps) {
    return build(world, version, als, i2i, models, false, steps);
  }

  /** As above; {@code rankVariant} also ships a second rank model, "rank@wide", for A/B tests. */
  public static Snapshot build(
      DemoWorld world,
      String version,
      ImplicitAls.Config als,
      ItemToItemBuilder.Config i2i,
      ModelTraining.Config models,
      boolean rankVariant,
      Steps steps) {
    steps.start("click interactions");
    Interactions clicks =
        Interactions.clicks(
            world.events, world.users.size(), world.catalog.size(), 0, Integer.MAX_VALUE);
    steps.end(clicks.nonZeros() + " user-item pairs");
    steps.start(
        "embeddings: implicit ALS, dimension "
            + als.dimension()
            + ", "
            + als.iterations()
            + " iterations");
    ImplicitAls.Factors factors =
        ImplicitAls.train(clicks, als, (done, total) -> steps.progress(done, total, "iterations"));
    steps.end("");
    steps.start("item-to-item neighbours");
    ItemNeighbours neighbours =
        ItemToItemBuilder.build(
            world.events, world.catalog, world.users.size(), GroundTruth.PERIOD_SECONDS, i2i);
    steps.end(neighbours.neighbourIds.length + " edges");
    Map<String, byte[]> modelFiles = new LinkedHashMap<>();
    Map<String, String> modelVersions = new LinkedHashMap<>();
    if (models != null) {
      MultiTaskModel[] trained = ModelTraining.trainForServing(world, models, rankVariant, steps);
      modelFiles.put("prerank", trained[0].toBytes());
      modelFiles.put("rank", trained[1].toBytes());
      modelVersions.put("prerank", trained[0].version());
      modelVersions.put("rank", trained[1].version());
      if (trained.length > 2) {
        modelFiles.put("rank@wide", trained[2].toBytes());
        modelVersions.put("rank@wide", trained[2].version());
      }
    }
    modelVersions.put(
        "embeddings",
        "ials-d"
            + als.dimension()
            + "-i"
            + als.iterations()
            + "-a"
            + als.alpha()
            + "-l"
            + als.lambda());
    modelVersions.put("item_to_item", "cooc-w" + i2i.window() + "-k" + i2i.perItem());
    Map<String, String> provenance = new LinkedHashMap<>();
    provenance.put("source", "demo-world");
    provenance.put("seed", Long.toString(world.seed));
    provenance.put("items", Integer.toString(world.catalog.size()));
    provenance.put("users", Integer.toString(world.users.size()));
    provenance.put("impressions_per_user", Integer.toString(world.spec.impressionsPerUser()));
    provenance.put("events", Integer.toString(world.events.size()));
    provenance.put("clicks", Integer.toString(world.events.clicks()));
    return new Snapshot(
        version,
        world.categories,
        world.catalog,
        world.users,
        factors.items(),
        factors.users(),
        neighbours,
        modelFiles,
        modelVersions,
        provenance);
  }
}
