package io.rankingcluster.core.recall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rankingcluster.core.ItemKind;
import io.rankingcluster.core.user.UserProfiles;
import io.rankingcluster.offline.world.DemoWorld;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Core's standard channels over a generated world (here, beside the generator). */
class StandardEngineOnTheDemoWorldTest {
  @Test
  void standardEngine_demoWorldUsers_returnsOnlyAdmittedUniqueItemsWithinKindLimits() {
    DemoWorld w = DemoWorld.generate(new DemoWorld.Spec(9, 2000, 60, 30));
    RecallEngine engine = RecallEngine.standard(w.catalog);
    int[] channelLimits = new int[Channel.MAX_NUMBER + 1];
    for (Channel ch :
        new Channel[] {Channel.POPULAR, Channel.CATEGORY, Channel.FRESH, Channel.LIVE_NOW}) {
      channelLimits[ch.number()] = 80;
    }
    int allowedBits =
        Channel.POPULAR.bit()
            | Channel.CATEGORY.bit()
            | Channel.FRESH.bit()
            | Channel.LIVE_NOW.bit();
    int[] kindLimits = {40, 20, 5};
    for (int u = 0; u < w.users.size(); u++) {
      long[] recent = w.users.recentItems(u);
      RecallQuery q =
          new RecallQuery(
              w.catalog,
              recent,
              UserProfiles.affinities(recent, w.catalog),
              w.users.country(u),
              DemoWorld.AS_OF_MS + u * 997_000L,
              recent,
              kindLimits);
      RecallEngine.Result r = engine.recall(q, channelLimits);
      Candidates out = r.candidates();
      assertTrue(out.size > 0, "user row " + u);
      Set<Long> seen = new HashSet<>();
      int[] perKind = new int[ItemKind.COUNT];
      for (int i = 0; i < out.size; i++) {
        int row = w.catalog.index.rowOf(out.ids[i]);
        assertTrue(seen.add(out.ids[i]), "duplicate " + out.ids[i]);
        assertTrue(q.admits(row), "not admitted: " + out.ids[i]);
        assertEquals(w.catalog.kinds[row], out.kinds[i]);
        assertTrue(out.scores[i] >= 0 && out.scores[i] <= 1, "score " + out.scores[i]);
        assertTrue(i == 0 || out.scores[i] <= out.scores[i - 1], "not sorted by score");
        assertTrue(out.channelMasks[i] != 0 && (out.channelMasks[i] & ~allowedBits) == 0);
        perKind[out.kinds[i] - 1]++;
      }
      for (int k = 0; k < ItemKind.COUNT; k++) {
        assertTrue(perKind[k] <= kindLimits[k], "kind " + k + ": " + perKind[k]);
      }
      for (RecallEngine.ChannelReport report : r.channels()) {
        assertEquals("", report.failure());
      }
    }
  }
}
