package io.rankingcluster.core.pipeline.component;

import io.rankingcluster.core.pipeline.CandidateTable;
import io.rankingcluster.core.pipeline.PipelineState;
import io.rankingcluster.core.pipeline.Selector;
import java.util.function.Predicate;

/**
 * Orders by rank's value, best first (ties in input order): the ranking order the blend starts
 * from. When rank fell back ({@code fellBack}), the input order is kept: prerank's order, with
 * exploration's additions after it.
 */
public final class ValueOrderSelector<S extends PipelineState> implements Selector<S> {
  private final Predicate<S> fellBack;

  public ValueOrderSelector(Predicate<S> fellBack) {
    this.fellBack = fellBack;
  }

  @Override
  public String id() {
    return "rank_order";
  }

  @Override
  public CandidateTable select(S state, CandidateTable in) {
    if (fellBack.test(state)) {
      return in;
    }
    int[] order = in.orderByValue();
    for (int j = 0; j < order.length; j++) {
      if (order[j] != j) {
        return in.reorder(order, order.length);
      }
    }
    return in;
  }
}
