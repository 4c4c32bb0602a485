#!/usr/bin/env python3
"""Calls ranking.v1.MixerService/Recommend from Python and pages through the feed.

Stubs are generated from the repository's proto/ at start (grpc_tools.protoc) into a temporary folder, so
they always match the server's API. Needs Debian's python3-grpcio and python3-grpc-tools (or pip's grpcio
and grpcio-tools).

    python3 examples/python/recommend.py --target 127.0.0.1:9090 --user 42 --pages 3

Exits 0 when every page came back non-empty and no item repeated across pages; 1 otherwise.
"""
import argparse
import importlib
import pathlib
import sys
import tempfile
import uuid

import grpc
from grpc_tools import protoc

ROOT = pathlib.Path(__file__).resolve().parents[2]
PROTO = ROOT / "proto" / "src" / "main" / "proto"


def generate_stubs(out_dir):
    """Compiles every ranking/v1 .proto into out_dir and makes it importable."""
    files = sorted(str(p.relative_to(PROTO)) for p in (PROTO / "ranking" / "v1").glob("*.proto"))
    include = pathlib.Path(protoc.__file__).parent / "_proto"  # well-known types bundled with grpc_tools
    args = ["protoc", f"-I{PROTO}", f"-I{include}", f"--python_out={out_dir}", f"--grpc_python_out={out_dir}", *files]
    if protoc.main(args) != 0:
        raise SystemExit("protoc failed on " + ", ".join(files))
    sys.path.insert(0, str(out_dir))
    return (importlib.import_module("ranking.v1.mixer_pb2"), importlib.import_module("ranking.v1.mixer_pb2_grpc"),
            importlib.import_module("ranking.v1.common_pb2"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--target", default="127.0.0.1:9090", help="mixer host:port")
    ap.add_argument("--user", default="42")
    ap.add_argument("--pages", type=int, default=3)
    ap.add_argument("--page-size", type=int, default=10)
    ap.add_argument("--deadline-ms", type=int, default=2000)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="ranking-py-stubs-") as gen:
        mixer_pb2, mixer_grpc, common_pb2 = generate_stubs(pathlib.Path(gen))
        seen = set()
        token = ""
        with grpc.insecure_channel(args.target) as channel:
            stub = mixer_grpc.MixerServiceStub(channel)
            for page in range(1, args.pages + 1):
                request_id = f"py-{uuid.uuid4()}"
                req = mixer_pb2.RecommendRequest(
                    context=common_pb2.RequestContext(user_id=args.user), page_size=args.page_size, page_token=token)
                try:
                    resp = stub.Recommend(req, timeout=args.deadline_ms / 1000, metadata=[("x-request-id", request_id)])
                except grpc.RpcError as e:
                    print(f"page {page}: {e.code().name}: {e.details()}", file=sys.stderr)
                    return 1
                kinds = {}
                for item in resp.items:
                    kinds[item.kind] = kinds.get(item.kind, 0) + 1
                    if item.item_id in seen:
                        print(f"page {page}: item {item.item_id} was served on an earlier page", file=sys.stderr)
                        return 1
                    seen.add(item.item_id)
                names = {common_pb2.ItemKind.Name(k).replace("ITEM_KIND_", "").lower(): n for k, n in kinds.items()}
                print(f"page {page}: {len(resp.items)} items {names} request_id={resp.request_id}"
                      f" snapshot={resp.versions.snapshot_version} degraded={resp.degraded}")
                for item in resp.items[:3]:
                    print(f"  #{item.position} {item.item_id} {item.title!r} value={item.value:.3f}")
                if not resp.items:
                    print(f"page {page}: empty", file=sys.stderr)
                    return 1
                token = resp.next_page_token
    print(f"ok: {len(seen)} distinct items over {args.pages} pages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
