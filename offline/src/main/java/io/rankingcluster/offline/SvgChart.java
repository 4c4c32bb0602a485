package io.rankingcluster.offline;

import java.util.List;
import java.util.Locale;

/**
 * Grouped horizontal bar charts as standalone SVG: readable in a browser or on GitHub, no library
 * needed.
 */
public final class SvgChart {
  private SvgChart() {}

  /** One bar group: a label and one value per series. */
  public record Group(String label, double[] values) {}

  private static final String[] COLORS = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2"};

  public static String bars(
      String title, List<String> series, List<Group> groups, String valueFormat) {
    int barH = 14;
    int groupGap = 10;
    int left = 170;
    int width = 760;
    int plotW = width - left - 90;
    double max = 0;
    for (Group g : groups) {
      for (double v : g.values()) {
        max = Math.max(max, v);
      }
    }
    max = max <= 0 ? 1 : max;
    int groupH = series.size() * barH + groupGap;
    int height = 60 + groups.size() * groupH + 20 * series.size() + 20;
    StringBuilder s = new StringBuilder();
    s.append(
        String.format(
            Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " font-family=\"sans-serif\" font-size=\"12\">%n",
            width,
            height));
    s.append(
        String.format(
            Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", width, height));
    s.append(
        String.format(
            Locale.ROOT,
            "<text x=\"10\" y=\"22\" font-size=\"15\" font-weight=\"bold\">%s</text>%n",
            escape(title)));
    int y = 40;
    for (Group g : groups) {
      s.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>%n",
              left - 8,
              y + series.size() * barH / 2 + 4,
              escape(g.label())));
      for (int k = 0; k < series.size(); k++) {
        double v = g.values()[k];
        int w = (int) Math.round(plotW * v / max);
        s.append(
            String.format(
                Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>%n",
                left,
                y,
                w,
                barH - 2,
                COLORS[k % COLORS.length]));
        s.append(
            String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" font-size=\"10\">%s</text>%n",
                left + w + 4,
                y + barH - 4,
                String.format(Locale.ROOT, valueFormat, v)));
        y += barH;
      }
      y += groupGap;
    }
    for (int k = 0; k < series.size(); k++) {
      s.append(
          String.format(
              Locale.ROOT,
              "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>%n",
              left,
              y + 4 + 20 * k,
              COLORS[k % COLORS.length]));
      s.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%d\">%s</text>%n",
              left + 18,
              y + 14 + 20 * k,
              escape(series.get(k))));
    }
    s.append("</svg>\n");
    return s.toString();
  }

  private static String escape(String x) {
    return x.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
