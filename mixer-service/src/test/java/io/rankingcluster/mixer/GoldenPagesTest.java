package io.rankingcluster.mixer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.rankingcluster.proto.v1.DegradedReason;
import io.rankingcluster.proto.v1.FeedItem;
import io.rankingcluster.proto.v1.RecommendRequest;
import io.rankingcluster.proto.v1.RecommendResponse;
import io.rankingcluster.proto.v1.RequestContext;
import io.rankingcluster.proto.v1.StageDebug;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Same pages, recorded: 50 users x 3 pages of the test world, through the in-process pipeline (2
 * shards) and through a cluster of four gRPC servers over loopback (mixer, one recall shard,
 * prerank, rank), compared with the golden file {@value #FILE}: item ids in order, values to 1e-6,
 * placement rules, degraded flags and reasons, and the debug stage list (names with candidates in
 * and out; no timings). A stage recorded in the file must still be there, in the same order and
 * with the same counts; stages added since are allowed.
 *
 * <p>{@code -Dgolden.update=true} re-records the file, for a change that alters pages on purpose
 * (its note lists the diff: {@code git diff} of the file).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class GoldenPagesTest {
  static final String FILE = "src/test/resources/golden/recommend-pages.txt";

  /** A fixed clock, so that "live now" and freshness do not depend on when the test runs. */
  static final long CLIENT_TIME_MS = 1_700_000_000_000L;

  static final int USERS = 50;
  static final int PAGES = 3;

  /**
   * The mixer's defaults, with budgets far above what a slow machine needs (the golden pages must
   * never degrade by time), and with the cluster's blending rules (config/blend.json: MMR and an
   * exploration slot) or those of the flags. A stage that is down stays "unavailable" for all 150
   * pages: a breaker opening after N calls would make the cause depend on the order and timing of
   * the calls.
   */
  static String[] flags(boolean blendFile) {
    List<String> f =
        new ArrayList<>(
            List.of(
                "--user-state-budget-ms=5000",
                "--breaker-window=10000",
                "--breaker-min-calls=10000"));
    if (blendFile) {
      f.add("--blend-config=" + Path.of("../config/blend.json").toAbsolutePath().normalize());
    }
    return f.toArray(new String[0]);
  }

  @Test
  void recommend_pagesEqualTheGoldenFile() throws Exception {
    Map<String, List<String>> now = new LinkedHashMap<>();
    MixerConfig flags = MixerConfig.parse(flags(false));
    MixerConfig rules = MixerConfig.parse(flags(true));
    try (InProcessPipeline direct = TestCluster.inProcess(2, flags, true, true)) {
      now.put(
          "in-process, 2 shards, blend from the flags", pages(r -> direct.recommend(r, 60_000)));
    }
    try (InProcessPipeline direct = TestCluster.inProcess(2, rules, true, true)) {
      now.put("in-process, 2 shards, config/blend.json", pages(r -> direct.recommend(r, 60_000)));
    }
    try (InProcessPipeline direct = TestCluster.inProcess(2, rules, true, false)) {
      now.put(
          "in-process, 2 shards, config/blend.json, rank down",
          pages(r -> direct.recommend(r, 60_000)));
    }
    try (InProcessPipeline direct = TestCluster.inProcess(1, rules, false, false)) {
      now.put(
          "in-process, 1 shard, config/blend.json, prerank and rank down",
          pages(r -> direct.recommend(r, 60_000)));
    }
    try (TestCluster cluster = TestCluster.builder().loopback(true).mixer(flags(true)).start()) {
      now.put(
          "cluster of 4 servers over loopback, 1 shard, config/blend.json",
          pages(r -> cluster.mixerStub().withDeadlineAfter(60, TimeUnit.SECONDS).recommend(r)));
    }
    Path file = Path.of(FILE);
    if (Boolean.getBoolean("golden.update")) {
      write(file, now);
      System.out.println("golden file re-recorded: " + file.toAbsolutePath());
      return;
    }
    assertTrue(
        Files.exists(file),
        "no golden file at " + file.toAbsolutePath() + "; record it with -Dgolden.update=true");
    Map<String, List<String>> golden = read(file);
    assertEquals(golden.keySet(), now.keySet(), "the golden file's sections");
    for (String section : golden.keySet()) {
      compare(section, golden.get(section), now.get(section));
    }
  }

  /** One line per page (its flags and stages), then one line per item. */
  static List<String> pages(Function<RecommendRequest, RecommendResponse> call) {
    List<String> lines = new ArrayList<>();
    for (int u = 1; u <= USERS; u++) {
      // Users 1..45 of the world, and five it does not know (cold start).
      String user = u <= 45 ? Integer.toString(u * 13 % 600 + 1) : "golden-unknown-" + u;
      String token = "";
      for (int page = 1; page <= PAGES; page++) {
        RecommendRequest req =
            RecommendRequest.newBuilder()
                .setPageSize(20)
                .setPageToken(token)
                .setContext(
                    RequestContext.newBuilder()
                        .setUserId(user)
                        .setClientTimeMs(CLIENT_TIME_MS)
                        .setDebug(true)
                        .setRequestId("golden-" + user + "-" + page))
                .build();
        RecommendResponse r = call.apply(req);
        StringBuilder head =
            new StringBuilder("page user=")
                .append(user)
                .append(" page=")
                .append(page)
                .append(" degraded=")
                .append(r.getDegraded())
                .append(" reasons=");
        for (DegradedReason reason : r.getDegradedReasonsList()) {
          head.append(reason.getStage()).append(':').append(reason.getCause()).append(';');
        }
        head.append(" stages=");
        for (StageDebug s : r.getDebug().getStagesList()) {
          head.append(s.getStage())
              .append('(')
              .append(s.getCandidatesIn())
              .append('>')
              .append(s.getCandidatesOut())
              .append(") ");
        }
        lines.add(head.toString().trim());
        for (FeedItem it : r.getItemsList()) {
          lines.add(
              String.format(
                  Locale.ROOT,
                  "item %d %d %s %.9g %s",
                  it.getPosition(),
                  it.getItemId(),
                  it.getKind().name(),
                  it.getValue(),
                  it.getPlacementRule()));
        }
        token = r.getNextPageToken();
      }
    }
    return lines;
  }

  private static void compare(String section, List<String> golden, List<String> now) {
    int n = Math.min(golden.size(), now.size());
    for (int i = 0; i < n; i++) {
      String g = golden.get(i);
      String c = now.get(i);
      if (g.startsWith("page ") && c.startsWith("page ")) {
        comparePage(section, g, c);
      } else if (g.startsWith("item ") && c.startsWith("item ")) {
        compareItem(section, g, c);
      } else {
        fail(section + ", line " + (i + 1) + ": expected '" + g + "', got '" + c + "'");
      }
    }
    assertEquals(golden.size(), now.size(), section + ": lines (pages and items)");
  }

  private static void comparePage(String section, String golden, String now) {
    int gs = golden.indexOf(" stages=");
    int cs = now.indexOf(" stages=");
    assertEquals(golden.substring(0, gs), now.substring(0, cs), section + ": page flags");
    List<String> want = List.of(golden.substring(gs + 8).trim().split(" "));
    List<String> have = List.of(now.substring(cs + 8).trim().split(" "));
    // The recorded stages, in order, as a subsequence of today's (new components may add stages of
    // their own).
    int at = 0;
    for (String stage : want) {
      while (at < have.size() && !have.get(at).equals(stage)) {
        at++;
      }
      if (at == have.size()) {
        fail(
            section
                + ": "
                + golden.substring(0, gs)
                + ": stage "
                + stage
                + " missing or changed; stages now "
                + have);
      }
      at++;
    }
  }

  private static void compareItem(String section, String golden, String now) {
    String[] g = golden.split(" ");
    String[] c = now.split(" ");
    String where = section + ": " + golden;
    assertEquals(
        g[1] + " " + g[2] + " " + g[3] + " " + g[5],
        c[1] + " " + c[2] + " " + c[3] + " " + c[5],
        where + " (position, id, kind, rule)");
    double gv = Double.parseDouble(g[4]);
    double cv = Double.parseDouble(c[4]);
    assertTrue(
        Math.abs(gv - cv) <= 1e-6 * Math.max(1, Math.abs(gv)), where + ": value now " + c[4]);
  }

  private static void write(Path file, Map<String, List<String>> sections) throws IOException {
    List<String> out = new ArrayList<>();
    out.add(
        "# Golden Recommend pages (GoldenPagesTest): re-record with -Dgolden.update=true and list"
            + " the diff.");
    for (Map.Entry<String, List<String>> e : sections.entrySet()) {
      out.add("## " + e.getKey());
      out.addAll(e.getValue());
    }
    Files.createDirectories(file.getParent());
    Files.write(file, out, StandardCharsets.UTF_8);
  }

  private static Map<String, List<String>> read(Path file) throws IOException {
    Map<String, List<String>> out = new LinkedHashMap<>();
    List<String> current = null;
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (line.startsWith("## ")) {
        current = new ArrayList<>();
        out.put(line.substring(3), current);
      } else if (!line.startsWith("#") && !line.isBlank() && current != null) {
        current.add(line);
      }
    }
    return out;
  }
}
