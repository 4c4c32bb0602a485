package io.rankingcluster.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rankingcluster.core.embed.Embeddings;
import io.rankingcluster.core.score.UserSignals;
import io.rankingcluster.offline.world.DemoWorld;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RankFeaturesTest {
  @Test
  void precomputedItemStatics_giveExactlyTheFeaturesOfTheDirectPath() {
    DemoWorld w = DemoWorld.generate(new DemoWorld.Spec(3, 2000, 300, 60));
    SplittableRandom rnd = new SplittableRandom(1);
    float[] emb = new float[w.catalog.size() * 8];
    for (int i = 0; i < emb.length; i++) {
      emb[i] = (float) rnd.nextDouble() - 0.5f;
    }
    Embeddings e = new Embeddings(w.catalog.size(), 8, emb);
    RankFeatures.ItemStatics statics = new RankFeatures.ItemStatics(w.catalog);
    for (int u = 0; u < 50; u++) {
      UserSignals user =
          UserSignals.of(
              w.users.recentItems(u),
              w.catalog,
              w.categories.parentCount(),
              w.categories.leavesPerParent());
      float[] vector = new float[8];
      for (int k = 0; k < 8; k++) {
        vector[k] = (float) rnd.nextDouble();
      }
      RankFeatures.Context ctx = new RankFeatures.Context(user, vector, w.catalog, e);
      for (int r = 0; r < w.catalog.size(); r += 37) {
        float[] direct = new float[RankFeatures.COUNT];
        float[] cached = new float[RankFeatures.COUNT];
        RankFeatures.compute(
            w.catalog, e, r, ctx, DemoWorld.AS_OF_MS, direct, 0, RankFeatures.COUNT);
        RankFeatures.compute(statics, e, r, ctx, DemoWorld.AS_OF_MS, cached, 0, RankFeatures.COUNT);
        assertArrayEquals(direct, cached, "row " + r);
      }
    }
    assertEquals(RankFeatures.COUNT, RankFeatures.NAMES.length);
  }
}
