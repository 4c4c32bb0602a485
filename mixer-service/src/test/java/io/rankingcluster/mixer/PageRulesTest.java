package io.rankingcluster.mixer;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.rankingcluster.proto.v1.FeedItem;
import io.rankingcluster.proto.v1.ItemKind;
import io.rankingcluster.proto.v1.RecommendRequest;
import io.rankingcluster.proto.v1.RecommendResponse;
import io.rankingcluster.proto.v1.RequestContext;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The page rules, checked on what clients receive (not on the blender's internals): for many users,
 * five pages each, through the whole chain. Written apart from the blender, from the rules as the
 * README states them.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class PageRulesTest {
  private static final float[] SHARE = {0.6f, 0.3f, 0.1f};

  @Test
  void recommend_manyUsersFivePages_everyPageObeysTheRules_andNothingRepeats() throws Exception {
    int pagesChecked = 0;
    try (TestCluster c = new TestCluster(false, 2)) {
      List<String> users = new java.util.ArrayList<>();
      for (int u = 1; u <= 40; u++) {
        users.add(Integer.toString(u * 13));
      }
      users.add("someone-new");
      for (String user : users) {
        Set<Long> seen = new HashSet<>();
        String token = "";
        for (int page = 1; page <= 5; page++) {
          RecommendResponse r =
              c.mixerStub()
                  .withDeadlineAfter(10, TimeUnit.SECONDS)
                  .recommend(
                      RecommendRequest.newBuilder()
                          .setPageToken(token)
                          .setContext(RequestContext.newBuilder().setUserId(user).setDebug(true))
                          .build());
          String at = "user " + user + " page " + page;
          check(r.getItemsList(), at);
          for (FeedItem it : r.getItemsList()) {
            if (!seen.add(it.getItemId())) {
              fail(at + ": item " + it.getItemId() + " was served on an earlier page");
            }
          }
          token = r.getNextPageToken();
          pagesChecked++;
        }
      }
    }
    assertTrue(pagesChecked == 41 * 5);
  }

  @Test
  void check_brokenPages_fail() {
    List<FeedItem> good = new java.util.ArrayList<>();
    for (int pos = 0; pos < 20; pos++) {
      ItemKind kind =
          pos % 10 == 3
              ? ItemKind.ITEM_KIND_LIVE_STREAM
              : pos % 10 == 1 || pos % 10 == 5 || pos % 10 == 8
                  ? ItemKind.ITEM_KIND_VIDEO
                  : ItemKind.ITEM_KIND_PRODUCT;
      good.add(
          FeedItem.newBuilder()
              .setItemId(pos + 1)
              .setPosition(pos + 1)
              .setKind(kind)
              .setSellerId(pos)
              .setPlacementRule("kind_share")
              .build());
    }
    check(good, "good");
    List<FeedItem> liveFirst = new java.util.ArrayList<>(good);
    liveFirst.set(0, good.get(0).toBuilder().setKind(ItemKind.ITEM_KIND_LIVE_STREAM).build());
    org.junit.jupiter.api.Assertions.assertThrows(
        AssertionError.class, () -> check(liveFirst, "live first"));
    List<FeedItem> sameSeller = new java.util.ArrayList<>(good);
    sameSeller.set(5, good.get(5).toBuilder().setSellerId(4).build());
    org.junit.jupiter.api.Assertions.assertThrows(
        AssertionError.class, () -> check(sameSeller, "same seller"));
  }

  static void check(List<FeedItem> page, String at) {
    if (page.size() != 20) {
      fail(at + ": " + page.size() + " items, expected a full page of 20");
    }
    int[] counts = new int[3];
    int liveInFirstFive = 0;
    boolean backfilled = false;
    for (int pos = 0; pos < page.size(); pos++) {
      FeedItem it = page.get(pos);
      String rule = it.getPlacementRule();
      boolean relaxed = rule.equals("position_relaxed");
      boolean live = it.getKind() == ItemKind.ITEM_KIND_LIVE_STREAM;
      if (it.getPosition() != pos + 1) {
        fail(at + ": position " + it.getPosition() + " in slot " + (pos + 1));
      }
      if (live && pos == 0 && !relaxed) {
        fail(at + ": a live stream in slot 1");
      }
      if (live && pos < 5 && ++liveInFirstFive > 1 && !relaxed) {
        fail(at + ": more than one live stream in the first five slots");
      }
      if (pos > 0
          && it.getSellerId() == page.get(pos - 1).getSellerId()
          && !rule.endsWith("_relaxed")) {
        fail(
            at
                + ": slot "
                + (pos + 1)
                + " has the seller of slot "
                + pos
                + " without a relaxed rule");
      }
      counts[it.getKindValue() - 1]++;
      backfilled |= rule.equals("backfill");
    }
    if (!backfilled) {
      for (int k = 0; k < 3; k++) {
        if (Math.abs(counts[k] - SHARE[k] * 20) > 1.01) {
          fail(at + ": kind " + (k + 1) + " has " + counts[k] + " items, target " + SHARE[k] * 20);
        }
      }
    }
  }
}
