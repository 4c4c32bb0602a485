package io.rankingcluster.core.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExperimentRouterTest {
  private static final ExperimentRouter ROUTER =
      new ExperimentRouter(
          "rank-model-2026-11",
          List.of(
              new ExperimentRouter.Arm("control", 0.5, Map.of("rank", "rank-mtl-s42")),
              new ExperimentRouter.Arm("treatment", 0.3, Map.of("rank", "rank-mtl-s43")),
              new ExperimentRouter.Arm("holdout", 0.2, Map.of())));

  @Test
  void arm_isDeterministicPerUser() {
    for (int u = 1; u <= 1000; u++) {
      assertEquals(ROUTER.arm(Integer.toString(u)).name(), ROUTER.arm(Integer.toString(u)).name());
    }
    ExperimentRouter same = new ExperimentRouter("rank-model-2026-11", ROUTER.arms());
    assertEquals(
        ROUTER.arm("42").name(),
        same.arm("42").name(),
        "a new router instance (another replica) agrees");
  }

  @Test
  void arm_splitsTenThousandUsersWithinTwoPoints() {
    Map<String, Integer> counts = new HashMap<>();
    for (int u = 1; u <= 10_000; u++) {
      counts.merge(ROUTER.arm(Integer.toString(u)).name(), 1, Integer::sum);
    }
    assertEquals(0.5, counts.get("control") / 10_000.0, 0.02, counts.toString());
    assertEquals(0.3, counts.get("treatment") / 10_000.0, 0.02, counts.toString());
    assertEquals(0.2, counts.get("holdout") / 10_000.0, 0.02, counts.toString());
  }

  @Test
  void differentExperiments_assignIndependently() {
    ExperimentRouter other =
        new ExperimentRouter(
            "blend-2026-11",
            List.of(
                new ExperimentRouter.Arm("a", 0.5, Map.of()),
                new ExperimentRouter.Arm("b", 0.5, Map.of())));
    int agree = 0;
    for (int u = 1; u <= 10_000; u++) {
      boolean inControl = ROUTER.arm(Integer.toString(u)).name().equals("control");
      boolean inA = other.arm(Integer.toString(u)).name().equals("a");
      agree += inControl == inA ? 1 : 0;
    }
    assertEquals(
        0.5, agree / 10_000.0, 0.03, "assignments of two experiments should be uncorrelated");
  }

  @Test
  void invalidConfigurations_areRefusedWithTheReason() {
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    new ExperimentRouter(
                        "x",
                        List.of(
                            new ExperimentRouter.Arm("a", 0.6, Map.of()),
                            new ExperimentRouter.Arm("b", 0.6, Map.of()))))
            .getMessage()
            .contains("sum"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    new ExperimentRouter(
                        "x",
                        List.of(
                            new ExperimentRouter.Arm("a", 0.5, Map.of()),
                            new ExperimentRouter.Arm("a", 0.5, Map.of()))))
            .getMessage()
            .contains("twice"));
    assertNull(ROUTER.byName("no-such-arm"));
  }
}
