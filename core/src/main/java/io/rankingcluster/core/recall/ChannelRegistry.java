package io.rankingcluster.core.recall;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every recall channel the system knows: a name, a mask bit and how to build it for a shard. One
 * table here serves the recall service, the offline evaluation and the tests, so that a channel is
 * one class plus one registration line. The six standard channels keep their ranking.v1 numbers as
 * bits; {@link #with} assigns the next free bit (at most 31 channels in all: channel masks are
 * fixed32). Immutable.
 *
 * <p>Which channels a shard runs, in which merge order and with which limits, is a list such as
 * {@code ann:300,item_to_item,popular,category,fresh,live_now} ({@link #select}; the recall
 * service's {@code --channels}).
 */
public final class ChannelRegistry {
  /** Builds a channel's source for one shard. */
  @FunctionalInterface
  public interface Factory {
    CandidateSource create(ShardResources shard);
  }

  /** A registered channel. */
  public record Registration(Channel channel, Factory factory) {}

  /** A channel chosen to run, with its limit when a request sets none. */
  public record Selected(Registration registration, int limit) {}

  private static final ChannelRegistry STANDARD =
      new ChannelRegistry(List.of())
          .with(Channel.ANN, s -> s.ann().get())
          .with(
              Channel.ITEM_TO_ITEM,
              s -> new ItemToItemCandidateSource(s.catalog(), s.neighbours(), s.neighbourIds()))
          .with(Channel.POPULAR, s -> new PopularCandidateSource(s.catalog()))
          .with(Channel.CATEGORY, s -> new CategoryCandidateSource(s.catalog()))
          .with(Channel.FRESH, s -> new FreshCandidateSource(s.catalog()))
          .with(Channel.LIVE_NOW, s -> new LiveNowCandidateSource(s.catalog()));

  /**
   * The standard channels' default list: every one, the embedding search with a smaller limit (its
   * cost grows with k).
   */
  public static final String DEFAULT_SELECTION =
      "ann:300,item_to_item,popular,category,fresh,live_now";

  private final Map<String, Registration> byName;

  private ChannelRegistry(List<Registration> registrations) {
    Map<String, Registration> m = new LinkedHashMap<>();
    for (Registration r : registrations) {
      m.put(r.channel().label(), r);
    }
    this.byName = java.util.Collections.unmodifiableMap(m);
  }

  /** The six standard channels. */
  public static ChannelRegistry standard() {
    return STANDARD;
  }

  /** This registry plus channel {@code name}, on the next free mask bit. */
  public ChannelRegistry with(String name, Factory factory) {
    Set<Integer> used = new HashSet<>();
    for (Registration r : byName.values()) {
      used.add(r.channel().number());
    }
    for (int bit = 1; bit <= Channel.MAX_NUMBER; bit++) {
      if (!used.contains(bit)) {
        return with(new Channel(name, bit), factory);
      }
    }
    throw new IllegalStateException(
        "no free channel bit for '" + name + "': at most " + Channel.MAX_NUMBER + " channels");
  }

  private ChannelRegistry with(Channel channel, Factory factory) {
    if (byName.containsKey(channel.label())) {
      throw new IllegalArgumentException("channel '" + channel.label() + "' is registered already");
    }
    for (Registration r : byName.values()) {
      if (r.channel().number() == channel.number()) {
        throw new IllegalArgumentException(
            "channel bit " + channel.number() + " is taken by " + r.channel().label());
      }
    }
    List<Registration> all = new ArrayList<>(byName.values());
    all.add(new Registration(channel, factory));
    return new ChannelRegistry(all);
  }

  /** The registration named {@code name}, or null. */
  public Registration get(String name) {
    return byName.get(name);
  }

  /** The registration with mask bit index {@code number}, or null. */
  public Registration byNumber(int number) {
    for (Registration r : byName.values()) {
      if (r.channel().number() == number) {
        return r;
      }
    }
    return null;
  }

  /** Every registration, in registration order. */
  public List<Registration> all() {
    return List.copyOf(byName.values());
  }

  /** Registered names, in registration order. */
  public List<String> names() {
    return List.copyOf(byName.keySet());
  }

  /**
   * The channels a list names, in its order (the merge order): {@code name[:limit]} entries,
   * comma-separated; a bare name takes {@code defaultLimit}; a channel not listed is off. An
   * unknown name, a name listed twice, a bad limit or an empty list is an IllegalArgumentException
   * that names it.
   */
  public List<Selected> select(String spec, int defaultLimit, int maxLimit) {
    List<Selected> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (String raw : spec.split(",")) {
      String entry = raw.trim();
      if (entry.isEmpty()) {
        continue;
      }
      int colon = entry.indexOf(':');
      String name = colon < 0 ? entry : entry.substring(0, colon).trim();
      Registration r = byName.get(name);
      if (r == null) {
        throw new IllegalArgumentException(
            "unknown channel '" + name + "' (registered: " + String.join(", ", names()) + ")");
      }
      if (!seen.add(name)) {
        throw new IllegalArgumentException("channel '" + name + "' listed twice");
      }
      int limit = defaultLimit;
      if (colon >= 0) {
        String value = entry.substring(colon + 1).trim();
        try {
          limit = Integer.parseInt(value);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(
              "channel '" + name + "': limit '" + value + "' is not a whole number");
        }
        if (limit < 1 || limit > maxLimit) {
          throw new IllegalArgumentException(
              "channel '" + name + "': limit must be in [1, " + maxLimit + "], was " + limit);
        }
      }
      out.add(new Selected(r, limit));
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(
          "no channel listed (registered: " + String.join(", ", names()) + ")");
    }
    return List.copyOf(out);
  }

  /** Builds the selected channels over one shard, in order. */
  public static List<BoundChannel> build(List<Selected> selected, ShardResources shard) {
    List<BoundChannel> out = new ArrayList<>();
    for (Selected s : selected) {
      out.add(
          new BoundChannel(
              s.registration().channel(), s.registration().factory().create(shard), s.limit()));
    }
    return List.copyOf(out);
  }
}
