package io.rankingcluster.core.model;

import io.rankingcluster.core.snapshot.Snapshot;

/** The trained models a snapshot ships, by name ("prerank", "rank"); absent ones are null. */
public final class SnapshotModels {
  private SnapshotModels() {}

  public static MultiTaskModel get(Snapshot snapshot, String name) {
    byte[] bytes = snapshot.models().get(name);
    return bytes == null ? null : MultiTaskModel.fromBytes(bytes, name);
  }
}
