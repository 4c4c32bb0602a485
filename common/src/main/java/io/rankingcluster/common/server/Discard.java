package io.rankingcluster.common.server;

import io.grpc.stub.StreamObserver;

/** A response observer that drops what it gets: warm-ups call the real handlers through it. */
public final class Discard<T> implements StreamObserver<T> {
  public static <T> Discard<T> of() {
    return new Discard<>();
  }

  @Override
  public void onNext(T value) {}

  @Override
  public void onError(Throwable t) {}

  @Override
  public void onCompleted() {}
}
