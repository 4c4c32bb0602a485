package io.rankingcluster.mixer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.rankingcluster.proto.v1.FeedItem;
import io.rankingcluster.proto.v1.ItemKind;
import io.rankingcluster.proto.v1.RecommendRequest;
import io.rankingcluster.proto.v1.RecommendResponse;
import io.rankingcluster.proto.v1.RequestContext;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Recommend through the whole chain: mixer -> recall shards -> prerank -> rank, with real stubs.
 */
class RecommendChainTest {
  private static TestCluster inProcess;
  private static TestCluster loopback;

  @BeforeAll
  static void start() throws Exception {
    inProcess = new TestCluster(false, 2);
    loopback = new TestCluster(true, 1);
  }

  @AfterAll
  static void stop() {
    inProcess.close();
    loopback.close();
  }

  static RecommendRequest request(String user, int pageSize) {
    return RecommendRequest.newBuilder()
        .setPageSize(pageSize)
        .setContext(RequestContext.newBuilder().setUserId(user).setDebug(true))
        .build();
  }

  static RecommendResponse call(TestCluster c, RecommendRequest r) {
    return c.mixerStub().withDeadlineAfter(10, TimeUnit.SECONDS).recommend(r);
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void recommend_knownUser_returnsMixedPageFromAllStages(boolean overLoopback) {
    TestCluster c = overLoopback ? loopback : inProcess;
    RecommendResponse r = call(c, request("7", 20));
    assertEquals(20, r.getItemsCount());
    assertFalse(r.getDegraded(), () -> "unexpected degradation: " + r.getDegradedReasonsList());
    Set<ItemKind> kinds = EnumSet.noneOf(ItemKind.class);
    Set<Long> ids = new HashSet<>();
    for (FeedItem it : r.getItemsList()) {
      kinds.add(it.getKind());
      assertTrue(ids.add(it.getItemId()), "item twice on one page: " + it.getItemId());
      assertTrue(it.getChannelsCount() > 0, "every item names the channels that found it");
      assertTrue(it.getStageScores().getPClick() > 0, "debug carries rank heads");
    }
    assertEquals(
        EnumSet.of(
            ItemKind.ITEM_KIND_PRODUCT, ItemKind.ITEM_KIND_VIDEO, ItemKind.ITEM_KIND_LIVE_STREAM),
        kinds);
    assertEquals("test-v1", r.getVersions().getSnapshotVersion());
    assertEquals(
        TestCluster.SNAPSHOT.modelVersions().get("rank"),
        r.getVersions().getRankModelVersion(),
        "the trained rank model of the snapshot serves");
    assertEquals(
        TestCluster.SNAPSHOT.modelVersions().get("prerank"),
        r.getVersions().getPrerankModelVersion());
    assertTrue(
        r.getDebug().getStagesList().stream()
            .anyMatch(s -> s.getStage().equals("rank") && s.getCandidatesIn() > 0));
  }

  @Test
  void recommend_sameUserTwice_returnsSamePage() {
    RecommendResponse a = call(inProcess, request("12", 10));
    RecommendResponse b = call(inProcess, request("12", 10));
    assertEquals(
        a.getItemsList().stream().map(FeedItem::getItemId).toList(),
        b.getItemsList().stream().map(FeedItem::getItemId).toList());
  }

  @Test
  void recommend_differentUsers_getPagesShapedByTheirHistory() {
    RecommendResponse a = call(inProcess, request("3", 20));
    RecommendResponse b = call(inProcess, request("400", 20));
    assertFalse(
        a.getItemsList().stream()
            .map(FeedItem::getItemId)
            .toList()
            .equals(b.getItemsList().stream().map(FeedItem::getItemId).toList()),
        "two users with different histories, same page");
  }

  @Test
  void recommend_unknownUser_getsColdStartPage() {
    RecommendResponse r = call(inProcess, request("no-such-user", 10));
    assertEquals(10, r.getItemsCount());
    assertFalse(r.getDegraded());
  }

  @Test
  void recommend_pageToken_nextPagesNeverRepeat() {
    Set<Long> seen = new HashSet<>();
    String token = "";
    for (int page = 0; page < 3; page++) {
      RecommendResponse r =
          call(inProcess, request("7", 15).toBuilder().setPageToken(token).build());
      assertEquals(15, r.getItemsCount());
      for (FeedItem it : r.getItemsList()) {
        assertTrue(
            seen.add(it.getItemId()), "page " + (page + 1) + " repeats item " + it.getItemId());
      }
      token = r.getNextPageToken();
    }
  }

  @Test
  void recommend_kindFilter_returnsOnlyThoseKinds() {
    RecommendResponse r =
        call(inProcess, request("7", 10).toBuilder().addKinds(ItemKind.ITEM_KIND_VIDEO).build());
    assertEquals(10, r.getItemsCount());
    assertTrue(r.getItemsList().stream().allMatch(it -> it.getKind() == ItemKind.ITEM_KIND_VIDEO));
  }

  @Test
  void recommend_defaultPageSize_whenZero() {
    assertEquals(
        inProcess.mixerOptions.defaultPageSize(), call(inProcess, request("7", 0)).getItemsCount());
  }

  static void assertInvalid(RecommendRequest r, String field) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> call(inProcess, r));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getStatus().toString());
    assertTrue(
        e.getStatus().getDescription().startsWith(field + ":"),
        () -> "description should name " + field + ": " + e.getStatus().getDescription());
  }

  @Test
  void recommend_emptyUserId_isInvalidArgumentNamingField() {
    assertInvalid(request("", 10), "context.user_id");
    assertInvalid(RecommendRequest.newBuilder().setPageSize(5).build(), "context");
  }

  @Test
  void recommend_badPageSize_isInvalidArgumentNamingField() {
    assertInvalid(request("7", -1), "page_size");
    assertInvalid(request("7", inProcess.mixerOptions.maxPageSize() + 1), "page_size");
  }

  @Test
  void recommend_unknownKindInFilter_isInvalidArgumentNamingField() {
    assertInvalid(request("7", 10).toBuilder().addKindsValue(9).build(), "kinds[0]");
    assertInvalid(
        request("7", 10).toBuilder().addKinds(ItemKind.ITEM_KIND_UNSPECIFIED).build(), "kinds[0]");
  }

  @Test
  void recommend_malformedOrTamperedPageToken_isInvalidArgumentNamingField() {
    assertInvalid(request("7", 10).toBuilder().setPageToken("not a token!").build(), "page_token");
    String token = call(inProcess, request("7", 10)).getNextPageToken();
    char last = token.charAt(token.length() - 5);
    String tampered =
        token.substring(0, token.length() - 5)
            + (last == 'A' ? 'B' : 'A')
            + token.substring(token.length() - 4);
    assertInvalid(request("7", 10).toBuilder().setPageToken(tampered).build(), "page_token");
  }

  @Test
  void recommend_unknownCountry_isInvalidArgumentNamingField() {
    assertInvalid(
        RecommendRequest.newBuilder()
            .setContext(RequestContext.newBuilder().setUserId("7").setCountry("ZZ"))
            .build(),
        "context.country");
  }
}
