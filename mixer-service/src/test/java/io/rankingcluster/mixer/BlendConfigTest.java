package io.rankingcluster.mixer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rankingcluster.common.server.Validation;
import io.rankingcluster.proto.v1.FeedItem;
import io.rankingcluster.proto.v1.ItemKind;
import io.rankingcluster.proto.v1.RecommendRequest;
import io.rankingcluster.proto.v1.RecommendResponse;
import io.rankingcluster.proto.v1.RequestContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Blend configurations from a file: validation, reload without a restart, A/B by arm, exploration,
 * debug.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BlendConfigTest {
  static final String STANDARD =
      "\"standard\": {\"productShare\": 0.6, \"videoShare\": 0.3, \"liveStreamShare\": 0.1,"
          + " \"liveWindow\": 5, \"maxLiveInWindow\": 1, \"mmrDiversity\": 0.2}";
  static final String VIDEOS = "\"videos\": {\"videoShare\": 1}";
  static final String EXPLORE =
      "\"explore\": {\"productShare\": 0.6, \"videoShare\": 0.3, \"liveStreamShare\": 0.1,"
          + " \"liveWindow\": 5, \"maxLiveInWindow\": 1, \"explorationSlot\": 4,"
          + " \"explorationMaxAgeHours\": 87600}";

  static String file(String defaultName, String... configs) {
    return "{\"default_config\": \""
        + defaultName
        + "\", \"configs\": {"
        + String.join(", ", configs)
        + "}}";
  }

  @Test
  void parse_badFiles_refusedNamingTheField() {
    Map<String, String> cases = new HashMap<>();
    cases.put(
        "{\"default_config\": \"a\", \"configs\": {\"a\": {\"videoShare\": 1, \"colour\": 2}}}",
        "colour");
    cases.put(file("missing", VIDEOS), "default_config");
    cases.put(file("zero", "\"zero\": {}"), "all 0");
    cases.put(file("x", "\"x\": {\"videoShare\": -1}"), "_share");
    cases.put(file("x", "\"x\": {\"videoShare\": 1, \"mmrDiversity\": 2}"), "mmr_diversity");
    cases.put(
        file("x", "\"x\": {\"videoShare\": 1, \"explorationSlot\": 3}"),
        "exploration_max_age_hours");
    cases.put("{\"configs\": ", "not a BlendConfigFile");
    cases.forEach(
        (json, expected) -> {
          IllegalArgumentException e =
              assertThrows(
                  IllegalArgumentException.class, () -> BlendSettings.parse(json, Set.of()));
          assertTrue(e.getMessage().contains(expected), () -> json + " -> " + e.getMessage());
        });
    IllegalArgumentException arm =
        assertThrows(
            IllegalArgumentException.class,
            () -> BlendSettings.parse(file("videos", VIDEOS), Set.of("bold")));
    assertTrue(arm.getMessage().contains("'bold' is used by an experiment arm"), arm.getMessage());
  }

  @Test
  void options_armNamesABlendWithoutFile_failsAtStart() {
    MixerConfig o = MixerConfig.parse("--experiment-arms=control:0.5;treatment:0.5:blend=videos");
    assertThrows(Validation.ConfigException.class, () -> BlendSettings.of(o, o.armBlendNames()));
  }

  private static RecommendResponse call(TestCluster c, String user, String experiment) {
    return c.mixerStub()
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .recommend(
            RecommendRequest.newBuilder()
                .setContext(
                    RequestContext.newBuilder()
                        .setUserId(user)
                        .setDebug(true)
                        .setExperiment(experiment))
                .build());
  }

  @Test
  void reload_newFileTakesEffectWithoutRestart_brokenFileRefusedAndOldRulesKept(@TempDir Path dir)
      throws Exception {
    Path config = dir.resolve("blend.json");
    Files.writeString(config, file("standard", STANDARD, VIDEOS));
    try (TestCluster c =
        TestCluster.builder()
            .mixer("--blend-config=" + config, "--blend-config-poll-ms=100")
            .start()) {
      RecommendResponse before = call(c, "7", "");
      assertEquals("standard", before.getVersions().getBlendConfig());
      assertTrue(
          before.getItemsList().stream().anyMatch(i -> i.getKind() == ItemKind.ITEM_KIND_PRODUCT));

      Files.writeString(config, file("videos", STANDARD, VIDEOS));
      Files.setLastModifiedTime(config, FileTime.fromMillis(System.currentTimeMillis() + 5_000));
      // The file is checked every 100 ms.
      RecommendResponse after =
          await()
              .atMost(java.time.Duration.ofSeconds(20))
              .until(
                  () -> call(c, "7", ""), r -> r.getVersions().getBlendConfig().equals("videos"));
      assertEquals(
          "videos",
          after.getVersions().getBlendConfig(),
          "the new default took effect without a restart");
      long videos =
          after.getItemsList().stream()
              .filter(i -> i.getKind() == ItemKind.ITEM_KIND_VIDEO)
              .count();
      assertEquals(
          after.getItemsCount(), videos, "a video-only configuration gives a page of videos");

      BlendSettings settings = c.mixerImpl.blendSettings();
      long refusals = settings.refusals();
      Files.writeString(config, "{ not json");
      Files.setLastModifiedTime(config, FileTime.fromMillis(System.currentTimeMillis() + 10_000));
      assertFalse(settings.poll(), "a broken file is refused");
      assertTrue(settings.refusals() > refusals);
      assertEquals(
          "videos",
          call(c, "7", "").getVersions().getBlendConfig(),
          "the previous rules stay in force");
    }
  }

  @Test
  void experimentArms_selectBlendConfigurations_andExplorationSlotAndDisplacedShowInDebug(
      @TempDir Path dir) throws Exception {
    Path config = dir.resolve("blend.json");
    Files.writeString(config, file("standard", STANDARD, VIDEOS, EXPLORE));
    try (TestCluster c =
        TestCluster.builder()
            .mixer(
                "--blend-config=" + config,
                "--experiment-arms=control:0.4;treatment:0.4:blend=videos;explore:0.2:blend=explore")
            .start()) {
      assertEquals("standard", call(c, "7", "control").getVersions().getBlendConfig());
      RecommendResponse treatment = call(c, "7", "treatment");
      assertEquals("videos", treatment.getVersions().getBlendConfig());
      assertTrue(
          treatment.getItemsList().stream().allMatch(i -> i.getKind() == ItemKind.ITEM_KIND_VIDEO));

      RecommendResponse explore = call(c, "7", "explore");
      FeedItem fourth = explore.getItems(3);
      assertEquals("exploration", fourth.getPlacementRule(), "slot 4 is the exploration slot");
      boolean anyDisplaced = false;
      for (int pos = 0; pos < explore.getItemsCount(); pos++) {
        long displaced = explore.getItems(pos).getDisplacedItemId();
        if (displaced != 0) {
          anyDisplaced = true;
          for (int earlier = 0; earlier <= pos; earlier++) {
            assertTrue(
                explore.getItems(earlier).getItemId() != displaced,
                "a displaced item was not placed before");
          }
        }
      }
      assertTrue(
          anyDisplaced,
          "rules (kind shares, MMR, exploration) displaced some ranking-order choices");
    }
  }
}
