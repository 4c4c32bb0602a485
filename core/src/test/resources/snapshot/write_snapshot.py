#!/usr/bin/python3
"""A foreign snapshot writer, written from docs/snapshot-format.md only (as another team would).

usage: write_snapshot.py ROOT VERSION [--no-publish]

Writes a small, deterministic snapshot into ROOT/VERSION (through a .tmp- folder, manifest last, atomic
rename) and points ROOT/CURRENT at it. Needs numpy (Debian: python3-numpy). The Java test that runs it
checks the values below, so keep the two in step.
"""
import datetime
import hashlib
import json
import os
import secrets
import sys

import numpy as np


def pad(n):
    return (8 - n % 8) % 8


def column(f, values, dtype):
    data = np.ascontiguousarray(np.asarray(values, dtype=dtype)).tobytes()
    f.write(data)
    f.write(b"\0" * pad(len(data)))


def header(f, magic, count_a, count_b):
    f.write(magic)
    f.write(np.array([1, count_a, count_b, 0, 0, 0], dtype="<u4").tobytes())


def fsync_dir(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Out:
    """Opens a file in the temporary folder and fsyncs it on close."""

    def __init__(self, folder, path):
        self.full = os.path.join(folder, path)
        os.makedirs(os.path.dirname(self.full), exist_ok=True)
        self.f = open(self.full, "xb")

    def __enter__(self):
        return self.f

    def __exit__(self, *exc):
        self.f.flush()
        os.fsync(self.f.fileno())
        self.f.close()


def text_lines(lines):
    for line in lines:
        assert "\n" not in line and "\r" not in line, line
    return "".join(line + "\n" for line in lines).encode("utf-8")


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    publish = "--no-publish" not in sys.argv
    root, version = args
    os.makedirs(root, exist_ok=True)
    target = os.path.join(root, version)
    if os.path.exists(target):
        sys.exit("version folder exists: " + target)
    tmp = os.path.join(root, ".tmp-" + version + "-" + secrets.token_hex(6))
    os.mkdir(tmp)

    # The world: 5 items over a 3 x 2 category tree, 3 users, 8-dim item embeddings, 3-dim user vectors.
    n = 5
    parents = ["Home", "Fashion", "Toys"]
    leaves = [["Lamp", "Mug"], ["Scarf", "Jacket"], ["Puzzle", "Robot Kit"]]
    leaf_count = 6
    ids = np.array([500001, 500002, 500003, 500004, 2**64 - 2], dtype="<u8")
    kinds = [1, 1, 2, 3, 1]
    sellers = [77, 77, 78, -5, 79]
    categories = [0, 5, 0, 3, 2]
    prices = [19.5, 7.25, 19.5, 0.0, 120.0]
    created_ms = [1767225600000 - i * 86_400_000 for i in range(n)]
    live_start = [-1, -1, -1, 1200, -1]
    live_duration = [0, 0, 0, 90, 0]
    country_masks = [0b1, 0b11, 0b1, 0b10000000, 0xFF]
    linked_row = [-1, -1, 0, -1, -1]
    in_stock = [1, 0, 1, 1, 1]
    impressions = [1000, 50, 300, 2000, 0]
    clicks = [40, 2, 30, 150, 0]
    purchases = [4, 0, 0, 0, 0]
    carts = [9, 1, 2, 0, 0]
    watch_seconds = [0.0, 0.0, 812.5, 9000.0, 0.0]
    titles = ["Lamp \u00e9toile", "Robot Kit \u65e5\u672c", "Lamp video\twith tab", "Scarf live", "Puzzle 1000"]

    users = ["1", "2", "\u00fcser-3"]
    user_countries = [0, 1, -1]
    recent = [[500003, 500001], [], [2**64 - 2, 500004, 999]]

    item_emb = np.arange(n * 8, dtype="<f4").reshape(n, 8) / 10
    user_vec = (np.arange(len(users) * 3, dtype="<f4").reshape(len(users), 3) - 4) / 4

    i2i_rows = [[(500003, 0.9), (500002, 0.25)], [], [(500001, 0.9)], [], [(500001, 0.5), (12345, 0.125)]]

    with Out(tmp, "items.bin") as f:
        header(f, b"RCITEMS\0", n, leaf_count)
        column(f, ids, "<u8")
        column(f, kinds, "u1")
        column(f, sellers, "<i8")
        column(f, categories, "<i4")
        column(f, prices, "<f4")
        column(f, created_ms, "<i8")
        column(f, live_start, "<i2")
        column(f, live_duration, "<i2")
        column(f, country_masks, "<i4")
        column(f, linked_row, "<i4")
        column(f, in_stock, "u1")
        column(f, impressions, "<i4")
        column(f, clicks, "<i4")
        column(f, purchases, "<i4")
        column(f, carts, "<i4")
        column(f, watch_seconds, "<f4")

    with Out(tmp, "titles.txt") as f:
        f.write(text_lines(titles))

    with Out(tmp, "categories.tsv") as f:
        f.write(text_lines(["\t".join([p] + l) for p, l in zip(parents, leaves)]))

    offsets = np.zeros(len(users) + 1, dtype="<i4")
    offsets[1:] = np.cumsum([len(r) for r in recent])
    flat = np.array([i for r in recent for i in r], dtype="<u8")
    with Out(tmp, "users.bin") as f:
        header(f, b"RCUSERS\0", len(users), len(flat))
        column(f, user_countries, "i1")
        column(f, offsets, "<i4")
        column(f, flat, "<u8")

    with Out(tmp, "user_ids.txt") as f:
        f.write(text_lines(users))

    with Out(tmp, "item_embeddings.f32") as f:
        f.write(item_emb.astype("<f4").tobytes())
    with Out(tmp, "user_vectors.f32") as f:
        f.write(user_vec.astype("<f4").tobytes())

    nb_offsets = np.zeros(n + 1, dtype="<i4")
    nb_offsets[1:] = np.cumsum([len(r) for r in i2i_rows])
    with Out(tmp, "i2i.bin") as f:
        header(f, b"RCI2I\0\0\0", n, int(nb_offsets[-1]))
        column(f, nb_offsets, "<i4")
        column(f, [i for r in i2i_rows for i, _ in r], "<u8")
        column(f, [w for r in i2i_rows for _, w in r], "<f4")

    with Out(tmp, "models/rank.bin") as f:
        f.write(bytes(range(16)))

    entries = []
    for path in ["items.bin", "titles.txt", "categories.tsv", "users.bin", "user_ids.txt",
                 "item_embeddings.f32", "user_vectors.f32", "i2i.bin", "models/rank.bin"]:
        with open(os.path.join(tmp, path), "rb") as f:
            data = f.read()
        entries.append({"path": path, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()})

    manifest = {
        "format_version": 1,
        "version": version,
        "created_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds"),
        "files": entries,
        "counts": {"items": n, "users": len(users), "item_embedding_dim": 8, "user_vector_dim": 3,
                   "i2i_edges": int(nb_offsets[-1])},
        "model_versions": {"rank": "py-rank-1"},
        "provenance": {"generator": "write_snapshot.py", "numpy": np.__version__},
        "derived": [{"path": "derived/hnsw.bin", "bytes": 0, "sha256": hashlib.sha256(b"").hexdigest()}],
    }
    with Out(tmp, "manifest.json") as f:
        f.write(json.dumps(manifest, indent=2).encode("utf-8"))
    fsync_dir(os.path.join(tmp, "models"))
    fsync_dir(tmp)
    os.rename(tmp, target)
    fsync_dir(root)

    if publish:
        current_tmp = os.path.join(root, "CURRENT.tmp-" + secrets.token_hex(6))
        with open(current_tmp, "w", encoding="utf-8") as f:
            f.write(version + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(current_tmp, os.path.join(root, "CURRENT"))
        fsync_dir(root)
    print("wrote", target)


if __name__ == "__main__":
    main()
