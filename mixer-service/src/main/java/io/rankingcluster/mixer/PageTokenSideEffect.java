package io.rankingcluster.mixer;

import io.rankingcluster.core.blend.Blender;
import io.rankingcluster.core.blend.PageTokenCodec;
import io.rankingcluster.core.blend.PageTokenCodec.PageState;
import java.util.Arrays;

/**
 * The next page's token: signed, carrying every id served so far (this page's after the earlier
 * ones'), so the next page repeats none of them without any session state on the server.
 */
final class PageTokenSideEffect
    implements io.rankingcluster.core.pipeline.SideEffect<RecommendState> {
  private final PageTokenCodec tokens;

  PageTokenSideEffect(PageTokenCodec tokens) {
    this.tokens = tokens;
  }

  @Override
  public String id() {
    return "page_token";
  }

  @Override
  public void apply(RecommendState s) {
    Blender.Placement[] page = s.page();
    long[] earlier = s.request.served();
    long[] served = Arrays.copyOf(earlier, earlier.length + page.length);
    for (int pos = 0; pos < page.length; pos++) {
      served[earlier.length + pos] = s.candidates().ids[page[pos].input()];
    }
    s.nextPageToken =
        tokens.encode(new PageState(s.request.page() + 1, served, System.currentTimeMillis()));
  }
}
