package io.rankingcluster.offline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rankingcluster.core.embed.Embeddings;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The embedding trainer recovers a planted preference and is deterministic for a seed. */
class ImplicitAlsTest {
  /**
   * Two tastes: users 0..49 click only items 0..39, users 50..99 only items 40..79, each about a
   * third of their side's items. An item a user never clicked should still score higher for users
   * of its side.
   */
  static Interactions planted(long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    List<Long> pairs = new ArrayList<>();
    for (int u = 0; u < 100; u++) {
      int base = u < 50 ? 0 : 40;
      for (int i = 0; i < 40; i++) {
        if (rnd.nextDouble() < 0.33) {
          pairs.add(((long) u << 32) | (base + i));
        }
      }
    }
    return Interactions.fromPairs(100, 80, pairs.stream().mapToLong(Long::longValue).toArray());
  }

  static ImplicitAls.Factors train(Interactions data, int threads) {
    return ImplicitAls.train(data, new ImplicitAls.Config(8, 10, 3, 10f, 0.5f, 11, threads), null);
  }

  @Test
  void train_plantedTwoTastes_unseenItemsOfOwnSideScoreHigher() {
    Interactions data = planted(3);
    ImplicitAls.Factors f = train(data, 2);
    int correct = 0;
    int total = 0;
    for (int u = 0; u < 100; u++) {
      int own = u < 50 ? 0 : 40;
      int other = u < 50 ? 40 : 0;
      for (int i = 0; i < 40; i++) {
        boolean clicked = false;
        for (int e = data.userOffsets[u]; e < data.userOffsets[u + 1]; e++) {
          clicked |= data.userItems[e] == own + i;
        }
        if (!clicked) {
          total++;
          if (dot(f.users(), u, f.items(), own + i) > dot(f.users(), u, f.items(), other + i)) {
            correct++;
          }
        }
      }
    }
    assertTrue(
        correct > 0.95 * total,
        "unseen own-side items ranked above other-side items in " + correct + "/" + total);
  }

  @Test
  void train_sameSeed_sameFactors_whateverTheThreadCount() {
    Interactions data = planted(5);
    ImplicitAls.Factors a = train(data, 1);
    ImplicitAls.Factors b = train(data, 2);
    assertArrayEquals(a.users().data(), b.users().data());
    assertArrayEquals(a.items().data(), b.items().data());
  }

  static float dot(Embeddings users, int u, Embeddings items, int i) {
    float s = 0;
    for (int k = 0; k < users.dimension(); k++) {
      s += users.data()[users.offset(u) + k] * items.data()[items.offset(i) + k];
    }
    return s;
  }
}
