package io.rankingcluster.offline.testing;

import io.rankingcluster.core.snapshot.Snapshot;
import io.rankingcluster.offline.ImplicitAls;
import io.rankingcluster.offline.ItemToItemBuilder;
import io.rankingcluster.offline.ModelTraining;
import io.rankingcluster.offline.SnapshotBuilder;
import io.rankingcluster.offline.Steps;
import io.rankingcluster.offline.world.DemoWorld;
import java.io.OutputStream;
import java.io.PrintStream;

/**
 * The worlds tests share (offline's test-jar): a small generated shop and the snapshot the services
 * serve from it, with embeddings, item-to-item lists and ranking models trained on it (small sizes:
 * seconds to build, built once per test JVM). Deterministic: the same seed gives the same snapshot,
 * so golden pages can be compared.
 */
public final class TestWorlds {
  private TestWorlds() {}

  /** 4,000 items, 600 users ("1".."600"), 60 sellers, seed 7. */
  public static final DemoWorld WORLD = DemoWorld.generate(new DemoWorld.Spec(7, 4000, 600, 60));

  /** {@link #WORLD} as the services see it, version "test-v1". */
  public static final Snapshot SNAPSHOT = build(WORLD, "test-v1");

  /** A snapshot of {@code world} trained with the small test sizes. */
  public static Snapshot build(DemoWorld world, String version) {
    ImplicitAls.Config als = new ImplicitAls.Config(16, 4, 3, 10f, 1f, 7, 2);
    return SnapshotBuilder.build(
        world,
        version,
        als,
        ItemToItemBuilder.Config.DEFAULT,
        new ModelTraining.Config(14, 22, 24, 100_000, 30_000, als, 1, 7),
        true,
        new Steps(new PrintStream(OutputStream.nullOutputStream())));
  }

  /**
   * {@link #SNAPSHOT}'s data under another version name: what a re-published snapshot looks like.
   */
  public static Snapshot renamed(String version) {
    Snapshot s = SNAPSHOT;
    return new Snapshot(
        version,
        s.categories(),
        s.catalog(),
        s.users(),
        s.itemEmbeddings(),
        s.userVectors(),
        s.itemNeighbours(),
        s.models(),
        s.modelVersions(),
        s.provenance());
  }
}
