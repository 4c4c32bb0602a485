package io.rankingcluster.core.blend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rankingcluster.core.blend.Blender.Placement;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Blend rules as components: a rule is a class and a line, with the shipped rules' relaxation order
 * around it.
 */
class SlotRulesTest {
  private static final byte P = 1;
  private static final byte V = 2;
  private static final boolean[] ALL = {true, true, true};

  @Test
  void blend_ruleDefinedInTheTest_keepsVideosOutOfTheFirstSlots() {
    Random r = new Random(5);
    int n = 60;
    byte[] kinds = new byte[n];
    long[] sellers = new long[n];
    for (int i = 0; i < n; i++) {
      kinds[i] = i % 3 == 0 ? V : P; // videos ranked high throughout
      sellers[i] = r.nextInt(1000);
    }
    Placement[] plain = new Blender(BlendConfig.DEFAULT).blend(kinds, sellers, n, 20, ALL);
    boolean videoEarly = false;
    for (int s = 0; s < 4; s++) {
      videoEarly |= kinds[plain[s].input()] == V;
    }
    assertTrue(videoEarly, "without the rule the shares put a video in the first four slots");
    Placement[] ruled =
        new Blender(BlendConfig.DEFAULT, List.of(new NoVideoBeforeSlotRule(5)))
            .blend(kinds, sellers, n, 20, ALL);
    for (int s = 0; s < 4; s++) {
      assertNotEquals(V, kinds[ruled[s].input()], "slot " + (s + 1) + ": " + ruled[s]);
    }
    assertEquals(20, ruled.length);
    long videos = java.util.Arrays.stream(ruled).filter(p -> kinds[p.input()] == V).count();
    assertTrue(videos >= 5, "the videos come after slot 4, the shares catch up: " + videos);
  }

  @Test
  void blend_ruleGivesWayLastWhenNothingElseFits_namedByItsLabel() {
    // Only videos, all of one seller: the seller rule gives way first (order 1), the test rule only
    // after (order 3).
    byte[] kinds = {V, V, V};
    long[] sellers = {7, 7, 7};
    Placement[] page =
        new Blender(BlendConfig.DEFAULT, List.of(new NoVideoBeforeSlotRule(3)))
            .blend(kinds, sellers, 3, 3, ALL);
    assertEquals(
        List.of("video_early", "video_early", "seller_relaxed"),
        java.util.Arrays.stream(page).map(Placement::rule).toList(),
        "slots 1 and 2 are filled only once the test rule gives way; slot 3 needs only the seller"
            + " rule to");
  }
}
