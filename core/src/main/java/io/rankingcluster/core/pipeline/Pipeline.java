package io.rankingcluster.core.pipeline;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * An ordered list of named components, and the one executor that runs any such list: for each
 * component it records the latency and the candidates in and out (a debug stage and a metric under
 * the component's id), applies its {@link FailPolicy} when it throws a {@link StageException}, and
 * writes the degraded reason. Any other exception is a programmer error: it is not caught, so the
 * request ends with it (the service answers INTERNAL and logs it with the request id) and never
 * fails open.
 *
 * <p>Kinds: a {@link Hydrator} prepares the request; a {@link Source} sets the candidates; a {@link
 * Filter} drops some; a {@link Scorer} scores all in input order (NaN ones are dropped after it;
 * not called with none); a {@link Selector} orders, cuts or adds; the {@link Blend} makes the page;
 * a {@link SideEffect} acts on it. Immutable and safe to share: every request brings its own state.
 */
public final class Pipeline<S extends PipelineState> {
  private final String name;
  private final List<Step<S>> steps;

  private Pipeline(String name, List<Step<S>> steps) {
    this.name = name;
    this.steps = List.copyOf(steps);
  }

  public static <S extends PipelineState> Builder<S> builder(String name) {
    return new Builder<>(name);
  }

  public String name() {
    return name;
  }

  /** The components' ids, in order. */
  public List<String> componentIds() {
    List<String> out = new ArrayList<>();
    for (Step<S> s : steps) {
      out.add(s.component.id());
    }
    return out;
  }

  /** Runs every component over {@code state}, in order; returns it. */
  public S run(S state) {
    Trace trace = state.trace();
    for (Step<S> step : steps) {
      long start = System.nanoTime();
      int in = state.count();
      try {
        step.body.accept(state);
      } catch (StageException e) {
        FailPolicy<S> policy = step.component.failPolicy();
        if (!policy.isOpen()) {
          trace.endComponent(step.component.id(), start, in, state.count());
          throw e.at(step.component.id());
        }
        String detail = e.detail().isEmpty() ? e.code() : e.code() + ": " + e.detail();
        trace.degrade(
            step.component.id(),
            policy.causeOf(e),
            policy.fallback()
                + (policy.causeOf(e).equals(e.code()) ? paren(e.detail()) : paren(detail)));
        policy.applyTo(state);
      }
      trace.endComponent(step.component.id(), start, in, state.count());
    }
    return state;
  }

  private static String paren(String detail) {
    return detail.isEmpty() ? "" : " (" + detail + ")";
  }

  private record Step<S extends PipelineState>(Component<S> component, Consumer<S> body) {}

  /** Lists the components in order; ids must be unique. */
  public static final class Builder<S extends PipelineState> {
    private final String name;
    private final List<Step<S>> steps = new ArrayList<>();
    private final Set<String> ids = new HashSet<>();

    private Builder(String name) {
      this.name = name;
    }

    public Builder<S> hydrate(Hydrator<S> h) {
      return add(h, h::hydrate);
    }

    public Builder<S> source(Source<S> source) {
      return add(
          source,
          s -> {
            CandidateTable t = source.fetch(s);
            s.candidates = t;
            s.recalled = t;
          });
    }

    public Builder<S> filter(Filter<S> f) {
      return add(
          f,
          s -> {
            CandidateTable in = s.candidates;
            boolean[] keep = new boolean[in.size()];
            java.util.Arrays.fill(keep, true);
            f.filter(s, in, keep);
            s.candidates = in.keep(keep);
          });
    }

    public Builder<S> score(Scorer<S> scorer) {
      return add(
          scorer,
          s -> {
            CandidateTable in = s.candidates;
            if (in.size() == 0) {
              return; // nothing to score: a stage asked to score nothing would refuse the call
            }
            scorer.score(s, in);
            in.attachWireForm(
                null); // the scores changed in place: the decoded wire form no longer matches
            boolean[] keep = null;
            for (int i = 0; i < in.size(); i++) {
              if (Float.isNaN(in.scores[i])) {
                if (keep == null) {
                  keep = new boolean[in.size()];
                  java.util.Arrays.fill(keep, true);
                }
                keep[i] = false;
              }
            }
            if (keep != null) {
              s.candidates = in.keep(keep);
            }
          });
    }

    public Builder<S> select(Selector<S> selector) {
      return add(selector, s -> s.candidates = selector.select(s, s.candidates));
    }

    public Builder<S> blend(Blend<S> blend) {
      return add(blend, s -> s.page = blend.blend(s, s.candidates));
    }

    public Builder<S> sideEffect(SideEffect<S> effect) {
      return add(effect, effect::apply);
    }

    public Pipeline<S> build() {
      if (steps.isEmpty()) {
        throw new IllegalStateException("pipeline " + name + " has no components");
      }
      return new Pipeline<>(name, steps);
    }

    private Builder<S> add(Component<S> c, Consumer<S> body) {
      String id = c.id();
      if (id == null || !id.matches("[a-z][a-z0-9_]*")) {
        throw new IllegalArgumentException(
            "pipeline " + name + ": component id must be snake_case, got '" + id + "'");
      }
      if (!ids.add(id)) {
        throw new IllegalArgumentException(
            "pipeline " + name + ": component id '" + id + "' used twice");
      }
      steps.add(new Step<>(c, body));
      return this;
    }
  }
}
