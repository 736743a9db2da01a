"""Builds synthetic libraries (mixed Chinese/English titles, tags, notes) straight into a migrated database."""

from __future__ import annotations

import json
import random
import sqlite3
from pathlib import Path

from readlist import db
from readlist.search import index

WORDS_EN = [
    "efficient",
    "kv",
    "cache",
    "quantization",
    "speculative",
    "decoding",
    "attention",
    "sparse",
    "kernel",
    "inference",
    "serving",
    "llm",
    "moe",
    "mixture",
    "experts",
    "pruning",
    "distillation",
    "training",
    "pipeline",
    "parallel",
    "tensor",
    "flash",
    "memory",
    "offloading",
    "scheduler",
    "throughput",
    "latency",
    "reinforcement",
    "learning",
    "reasoning",
    "agent",
    "compiler",
    "gpu",
    "cuda",
    "triton",
    "low-rank",
    "adapter",
]
WORDS_ZH = [
    "量化",
    "推理",
    "加速",
    "稀疏",
    "注意力",
    "缓存",
    "剪枝",
    "蒸馏",
    "训练",
    "并行",
    "调度",
    "算子",
    "编译",
    "显存",
    "强化学习",
    "投机解码",
    "长上下文",
    "混合专家",
]
TAGS = ["量化", "推理加速", "kv-cache", "cuda", "moe", "rl", "attention", "serving", "training", "编译器", "稀疏"]
STATUSES = ["unread"] * 6 + ["reading", "read", "read", "skipped"]


def title(rng: random.Random) -> str:
    if rng.random() < 0.4:
        return "".join(rng.choice(WORDS_ZH) for _ in range(rng.randint(3, 6))) + " " + rng.choice(WORDS_EN)
    return " ".join(rng.choice(WORDS_EN).capitalize() for _ in range(rng.randint(4, 10)))


def text(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS_EN + WORDS_ZH) for _ in range(n))


def build(path: Path, n_items: int, seed: int = 7) -> Path:
    rng = random.Random(seed)
    if path.exists():
        path.unlink()
    db.ensure_schema(path)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO tag (id, name, slug) VALUES (?, ?, ?)", [(i + 1, t, t.casefold()) for i, t in enumerate(TAGS)]
    )
    items, tags, notes = [], [], []
    for i in range(1, n_items + 1):
        arxiv = f"{rng.randint(18, 25):02d}{rng.randint(1, 12):02d}.{i:05d}"
        stamp = f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T10:00:00Z"
        status = rng.choice(STATUSES)
        authors = json.dumps([{"name": f"Author {rng.randint(1, 5000)}"} for _ in range(rng.randint(1, 6))])
        items.append(
            (
                i,
                "paper",
                f"arxiv:{arxiv}",
                arxiv,
                f"https://arxiv.org/abs/{arxiv}",
                title(rng),
                authors,
                text(rng, 80),
                status,
                rng.randint(0, 3),
                stamp,
                stamp if status in ("reading", "read") else None,
                stamp if status == "read" else None,
            )
        )
        for t in rng.sample(range(1, len(TAGS) + 1), rng.randint(0, 3)):
            tags.append((i, t))
        if rng.random() < 0.5:
            notes.append((i, text(rng, 30), stamp, stamp))
    conn.executemany(
        "INSERT INTO item (id, kind, key, arxiv_id, url, title, authors, abstract, status, priority, added_at, "
        "started_at, finished_at, categories, metadata_status) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '[]', 'fetched')",
        items,
    )
    conn.executemany("INSERT INTO itemtag (item_id, tag_id) VALUES (?, ?)", tags)
    conn.executemany("INSERT INTO note (item_id, body, created_at, updated_at) VALUES (?, ?, ?, ?)", notes)
    index.rebuild(conn)
    conn.execute("COMMIT")
    conn.close()
    return path
