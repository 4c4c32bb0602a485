package io.rankingcluster.mixer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.rankingcluster.common.observability.JsonLogFormatter;
import io.rankingcluster.common.observability.RequestIds;
import io.rankingcluster.proto.v1.RecommendRequest;
import io.rankingcluster.proto.v1.RecommendResponse;
import io.rankingcluster.proto.v1.RequestContext;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One request id across the mixer and every stage it calls, in the JSON access logs of all four
 * services.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RequestIdTest {
  /**
   * Held strongly: the JDK keeps loggers only weakly, and a collected one would lose the handler.
   */
  private static final Logger ACCESS = Logger.getLogger("access");

  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final JsonLogFormatter json = new JsonLogFormatter("test");
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          lines.add(
              json.format(record)); // formatted on the logging thread, inside the call's context
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeEach
  void attach() {
    ACCESS.addHandler(capture);
  }

  @AfterEach
  void detach() {
    ACCESS.removeHandler(capture);
  }

  private List<String> linesWith(String id) {
    return lines.stream().filter(l -> l.contains("\"request_id\":\"" + id + "\"")).toList();
  }

  @Test
  void requestIdHeader_travelsToEveryStage_andAppearsInAllFourServicesLogs() throws Exception {
    try (TestCluster c =
        TestCluster.builder().loopback(true).shards(2).servers("--access-log=all").start()) {
      Metadata headers = new Metadata();
      headers.put(RequestIds.HEADER, "trace-me-42");
      RecommendResponse r =
          c.mixerStub()
              .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
              .withDeadlineAfter(10, TimeUnit.SECONDS)
              .recommend(
                  RecommendRequest.newBuilder()
                      .setContext(RequestContext.newBuilder().setUserId("7"))
                      .build());
      assertEquals("trace-me-42", r.getRequestId(), "the response names the header's id");
      List<String> traced = linesWith("trace-me-42");
      for (String method :
          new String[] {
            "MixerService/Recommend",
            "RecallService/Recall",
            "PrerankService/Prerank",
            "RankService/Rank"
          }) {
        assertTrue(
            traced.stream().anyMatch(l -> l.contains(method)),
            () -> method + " logged no line with the id: " + traced);
      }
      assertEquals(
          2,
          traced.stream().filter(l -> l.contains("RecallService/Recall")).count(),
          "both shards");
      String mixerLine =
          traced.stream()
              .filter(l -> l.contains("MixerService/Recommend"))
              .findFirst()
              .orElseThrow();
      assertTrue(
          mixerLine.startsWith("{\"ts\":\"")
              && mixerLine.contains("\"status\":\"OK\"")
              && mixerLine.contains("\"ms\":"),
          mixerLine);
    }
  }

  @Test
  void requestIdInTheMessage_isUsedWhenNoHeaderIsSent() throws Exception {
    try (TestCluster c = TestCluster.builder().servers("--access-log=all").start()) {
      c.mixerStub()
          .withDeadlineAfter(10, TimeUnit.SECONDS)
          .recommend(
              RecommendRequest.newBuilder()
                  .setContext(
                      RequestContext.newBuilder().setUserId("7").setRequestId("from-message-9"))
                  .build());
      List<String> traced = linesWith("from-message-9");
      assertTrue(
          traced.stream().anyMatch(l -> l.contains("RankService/Rank")),
          () -> "stages see the id: " + lines);
    }
  }

  @Test
  void requestIdOver128Characters_oneRule_theAnswerAndEveryStagesLogsNameTheSameCutId()
      throws Exception {
    String given = "long-" + "x".repeat(195);
    String cut = given.substring(0, 128);
    try (TestCluster c = TestCluster.builder().servers("--access-log=all").start()) {
      RecommendResponse r =
          c.mixerStub()
              .withDeadlineAfter(10, TimeUnit.SECONDS)
              .recommend(
                  RecommendRequest.newBuilder()
                      .setContext(RequestContext.newBuilder().setUserId("7").setRequestId(given))
                      .build());
      assertEquals(cut, r.getRequestId(), "the answer names the id the logs use");
      List<String> traced = linesWith(cut);
      assertTrue(
          traced.stream().anyMatch(l -> l.contains("RankService/Rank")),
          () -> "the stages log the same id: " + lines);
      assertTrue(lines.stream().noneMatch(l -> l.contains(given)), "the uncut id appears nowhere");
    }
  }
}
