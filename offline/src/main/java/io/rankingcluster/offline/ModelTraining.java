package io.rankingcluster.offline;

import io.rankingcluster.core.eval.Metrics;
import io.rankingcluster.core.model.MultiTaskModel;
import io.rankingcluster.core.model.RankFeatures;
import io.rankingcluster.offline.world.DemoWorld;
import io.rankingcluster.offline.world.GroundTruth;
import java.util.ArrayList;
import java.util.List;

/**
 * Trains the prerank model (logistic regression over the cheap features, click head) and the rank
 * model (a multi-task network: click, ESMM conversion, watch time) with a split by time, and
 * evaluates every head on later impressions beside a baseline of item priors.
 *
 * <p>Windows (days of the 28-day world): features known at day {@code trainFrom}; train on
 * impressions of days [trainFrom, validFrom), calibrate on [validFrom, testFrom); features re-known
 * at day testFrom; test on [testFrom, 28).
 */
public final class ModelTraining {
  /** Settings. */
  public record Config(
      int trainFromDay,
      int validFromDay,
      int testFromDay,
      int maxTrainSamples,
      int maxEvalSamples,
      ImplicitAls.Config als,
      int epochs,
      long seed) {
    public static Config defaults(long seed) {
      return new Config(
          14,
          22,
          24,
          1_500_000,
          400_000,
          new ImplicitAls.Config(
              64, 6, 3, 10f, 1f, seed, Runtime.getRuntime().availableProcessors()),
          2,
          seed);
    }
  }

  /** One head's figures beside its baseline's. */
  public record HeadResult(
      String model,
      String head,
      String samples,
      double auc,
      double logLoss,
      double ece,
      double baselineAuc,
      double baselineLogLoss,
      double baselineEce,
      double[][] reliability) {}

  /** Models and their evaluation. */
  public record Result(
      MultiTaskModel prerank, MultiTaskModel rank, List<HeadResult> heads, String watchSummary) {}

  /**
   * The two models trained for serving: features known at day 18, trained on days 18-26, calibrated
   * on 26-28.
   */
  public static MultiTaskModel[] trainForServing(DemoWorld world, Config c, Steps steps) {
    return trainForServing(world, c, false, steps);
  }

  /**
   * As above; with {@code rankVariant}, a third model: a rank variant with a wider network (48-24)
   * and another seed, shipped as "rank@wide" for an A/B test against the default.
   */
  public static MultiTaskModel[] trainForServing(
      DemoWorld world, Config c, boolean rankVariant, Steps steps) {
    int day = 86_400;
    steps.start("ranking data: features known at day 18, impressions of days 18..28");
    RankingData.Known known = RankingData.knownAt(world, 18 * day, c.als());
    MultiTaskTrainer.Data train =
        RankingData.build(
            world, known, 18 * day, 26 * day, RankFeatures.COUNT, c.maxTrainSamples(), c.seed());
    MultiTaskTrainer.Data valid =
        RankingData.build(
            world,
            known,
            26 * day,
            GroundTruth.PERIOD_SECONDS,
            RankFeatures.COUNT,
            c.maxEvalSamples(),
            c.seed() + 1);
    steps.end(train.n() + " training and " + valid.n() + " calibration impressions");
    MultiTaskTrainer.Trained[] t = trainBoth(train, valid, c, steps);
    if (!rankVariant) {
      return new MultiTaskModel[] {t[0].model(), t[1].model()};
    }
    steps.start("rank variant: multi-task network " + RankFeatures.COUNT + "-48-24");
    MultiTaskTrainer.Trained wide =
        MultiTaskTrainer.train(
            "rank-mtl-wide-s" + (c.seed() + 1),
            train,
            valid,
            new MultiTaskTrainer.Config(
                new int[] {48, 24}, true, true, c.epochs(), 256, 0.003f, 1e-6f, c.seed() + 1),
            steps);
    steps.end("");
    return new MultiTaskModel[] {t[0].model(), t[1].model(), wide.model()};
  }

  private static MultiTaskTrainer.Trained[] trainBoth(
      MultiTaskTrainer.Data train, MultiTaskTrainer.Data valid, Config c, Steps steps) {
    steps.start(
        "prerank model: logistic regression on " + RankFeatures.PRERANK_COUNT + " features");
    MultiTaskTrainer.Trained prerank =
        MultiTaskTrainer.train(
            "prerank-lr-s" + c.seed(),
            columns(train, RankFeatures.PRERANK_COUNT),
            columns(valid, RankFeatures.PRERANK_COUNT),
            new MultiTaskTrainer.Config(
                new int[0], false, false, c.epochs(), 512, 0.01f, 1e-6f, c.seed()),
            steps);
    steps.end("");
    steps.start(
        "rank model: multi-task network "
            + RankFeatures.COUNT
            + "-32-16, heads click, conversion (ESMM), watch");
    MultiTaskTrainer.Trained rank =
        MultiTaskTrainer.train(
            "rank-mtl-s" + c.seed(),
            train,
            valid,
            new MultiTaskTrainer.Config(
                new int[] {32, 16}, true, true, c.epochs(), 256, 0.003f, 1e-6f, c.seed()),
            steps);
    steps.end("");

    return new MultiTaskTrainer.Trained[] {prerank, rank};
  }

  public static Result run(DemoWorld world, Config c, Steps steps) {
    int day = 86_400;
    steps.start(
        "ranking data: features known at day "
            + c.trainFromDay()
            + ", impressions of days "
            + c.trainFromDay()
            + ".."
            + c.testFromDay());
    RankingData.Known known = RankingData.knownAt(world, c.trainFromDay() * day, c.als());
    MultiTaskTrainer.Data train =
        RankingData.build(
            world,
            known,
            c.trainFromDay() * day,
            c.validFromDay() * day,
            RankFeatures.COUNT,
            c.maxTrainSamples(),
            c.seed());
    MultiTaskTrainer.Data valid =
        RankingData.build(
            world,
            known,
            c.validFromDay() * day,
            c.testFromDay() * day,
            RankFeatures.COUNT,
            c.maxEvalSamples(),
            c.seed() + 1);
    steps.end(train.n() + " training and " + valid.n() + " validation impressions");
    steps.start("test data: features known at day " + c.testFromDay());
    RankingData.Known later = RankingData.knownAt(world, c.testFromDay() * day, c.als());
    MultiTaskTrainer.Data test =
        RankingData.build(
            world,
            later,
            c.testFromDay() * day,
            GroundTruth.PERIOD_SECONDS,
            RankFeatures.COUNT,
            c.maxEvalSamples(),
            c.seed() + 2);
    steps.end(test.n() + " test impressions");

    MultiTaskTrainer.Trained[] trained = trainBoth(train, valid, c, steps);
    MultiTaskTrainer.Trained prerank = trained[0];
    MultiTaskTrainer.Trained rank = trained[1];

    steps.start("evaluate heads on the test days");
    List<HeadResult> heads = new ArrayList<>();
    MultiTaskTrainer.Data preTest = columns(test, RankFeatures.PRERANK_COUNT);
    float[] prePred = predict(prerank.model(), preTest);
    float[] rankPred = predict(rank.model(), test);
    int rh = rank.model().heads();
    float[] ctrPrior = new float[test.n()];
    float[] cvrPrior = new float[test.n()];
    for (int i = 0; i < test.n(); i++) {
      ctrPrior[i] = (float) Math.exp(test.x()[i * test.features()]);
      cvrPrior[i] = (float) Math.exp(test.x()[i * test.features() + 1]);
    }
    float[] preClick = atLoggedPosition(prePred, 1, 0, prerank.positionBias(), test);
    float[] rankClick = atLoggedPosition(rankPred, rh, 0, rank.positionBias(), test);
    heads.add(
        head("prerank", "click", "all test impressions", preClick, test.click(), ctrPrior, null));
    heads.add(
        head("rank", "click", "all test impressions", rankClick, test.click(), ctrPrior, null));
    float[] cvr = new float[test.n()];
    float[] ctcvr = new float[test.n()];
    float[] ctcvrPrior = new float[test.n()];
    for (int i = 0; i < test.n(); i++) {
      cvr[i] = rankPred[i * rh + 1];
      ctcvr[i] = rankClick[i] * cvr[i];
      ctcvrPrior[i] = ctrPrior[i] * cvrPrior[i];
    }
    heads.add(
        head(
            "rank",
            "conversion (purchase given click)",
            "clicked test impressions",
            cvr,
            test.purchase(),
            cvrPrior,
            test.click()));
    heads.add(
        head(
            "rank",
            "click and conversion (ESMM pCTCVR)",
            "all test impressions",
            ctcvr,
            test.purchase(),
            ctcvrPrior,
            null));
    double maeModel = 0;
    double maePrior = 0;
    int nw = 0;
    for (int i = 0; i < test.n(); i++) {
      if (test.hasWatch()[i]) {
        double y = Math.log1p(test.watch()[i]);
        maeModel += Math.abs(Math.log1p(rankPred[i * rh + 2]) - y);
        maePrior += Math.abs(test.x()[i * test.features() + 11] - y);
        nw++;
      }
    }
    String watch =
        String.format(
            java.util.Locale.ROOT,
            "watch head: mean absolute error of log1p(watch seconds) over %d clicked videos and"
                + " streams: model %.4f, item prior %.4f",
            nw,
            maeModel / Math.max(1, nw),
            maePrior / Math.max(1, nw));
    steps.end("");
    return new Result(prerank.model(), rank.model(), heads, watch);
  }

  /** The first k columns of the data (the prerank features are a prefix of the rank features). */
  static MultiTaskTrainer.Data columns(MultiTaskTrainer.Data d, int k) {
    if (k == d.features()) {
      return d;
    }
    float[] x = new float[d.n() * k];
    for (int i = 0; i < d.n(); i++) {
      System.arraycopy(d.x(), i * d.features(), x, i * k, k);
    }
    return new MultiTaskTrainer.Data(
        x, d.n(), k, d.click(), d.purchase(), d.watch(), d.hasWatch(), d.position());
  }

  static float[] predict(MultiTaskModel m, MultiTaskTrainer.Data d) {
    float[] out = new float[d.n() * m.heads()];
    m.predict(d.x(), d.n(), out, new float[2 * m.maxWidth()]);
    return out;
  }

  /**
   * Click probability at the logged position: the calibrated top-slot logit plus the learned
   * position bias.
   */
  static float[] atLoggedPosition(
      float[] pred, int heads, int head, float[] positionBias, MultiTaskTrainer.Data d) {
    float[] p = new float[d.n()];
    for (int i = 0; i < d.n(); i++) {
      float q = Math.min(1 - 1e-7f, Math.max(1e-7f, pred[i * heads + head]));
      float logit =
          (float) Math.log(q / (1 - q))
              + positionBias[Math.min(positionBias.length - 1, Math.max(1, d.position()[i]))];
      p[i] = 1f / (1f + (float) Math.exp(-logit));
    }
    return p;
  }

  static HeadResult head(
      String model,
      String head,
      String samples,
      float[] p,
      boolean[] y,
      float[] baseline,
      boolean[] only) {
    float[] pp = p;
    boolean[] yy = y;
    float[] bb = baseline;
    if (only != null) {
      int n = 0;
      for (boolean b : only) {
        n += b ? 1 : 0;
      }
      pp = new float[n];
      yy = new boolean[n];
      bb = new float[n];
      for (int i = 0, j = 0; i < only.length; i++) {
        if (only[i]) {
          pp[j] = p[i];
          yy[j] = y[i];
          bb[j] = baseline[i];
          j++;
        }
      }
    }
    return new HeadResult(
        model,
        head,
        samples + " (" + pp.length + ")",
        Metrics.auc(pp, yy),
        Metrics.logLoss(pp, yy),
        Metrics.ece(pp, yy, 10),
        Metrics.auc(bb, yy),
        Metrics.logLoss(bb, yy),
        Metrics.ece(bb, yy, 10),
        reliability(pp, yy, 10));
  }

  /** Per bin: mean predicted, observed rate, count. */
  static double[][] reliability(float[] p, boolean[] y, int bins) {
    double[][] r = new double[bins][3];
    for (int i = 0; i < p.length; i++) {
      int b = Math.min(bins - 1, Math.max(0, (int) (p[i] * bins)));
      r[b][0] += p[i];
      r[b][1] += y[i] ? 1 : 0;
      r[b][2]++;
    }
    for (double[] bin : r) {
      if (bin[2] > 0) {
        bin[0] /= bin[2];
        bin[1] /= bin[2];
      }
    }
    return r;
  }
}
