"""Builds synthetic libraries (mixed Chinese/English titles, tags, notes) straight into a migrated database."""

from __future__ import annotations

import bisect
import itertools
import json
import random
import sqlite3
from pathlib import Path

from readlist import config
from readlist.store import db, index

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


# A realistic vocabulary: the field's terms above plus thousands of other words, drawn with Zipf's law, so a
# topic such as "kv cache" appears in a few percent of items (as in the real notes), not in all of them.
SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ne",
    "ru",
    "ta",
    "vi",
    "so",
    "pe",
    "du",
    "ga",
    "hi",
    "zo",
    "ber",
    "tan",
    "lin",
    "mor",
    "sel",
    "vex",
    "quo",
]
HANZI = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严"
_EXTRA = [a + b + c for a in SYLLABLES for b in SYLLABLES for c in ("", "n", "s", "ra", "ix", "on")]


def _zipf_words(rng: random.Random) -> list[str]:
    words = WORDS_EN + WORDS_ZH + _EXTRA
    rng.shuffle(words)
    return words


_VOCAB: list[str] = []
_CUMULATIVE: list[float] = []


def _word(rng: random.Random) -> str:
    if not _VOCAB:
        _VOCAB.extend(_zipf_words(random.Random(1)))
        _CUMULATIVE.extend(itertools.accumulate(1 / (rank + 10) for rank in range(len(_VOCAB))))
    if rng.random() < 0.25:  # Chinese running text
        return "".join(rng.choice(HANZI) for _ in range(rng.randint(1, 3)))
    return _VOCAB[bisect.bisect(_CUMULATIVE, rng.random() * _CUMULATIVE[-1])]


def title(rng: random.Random) -> str:
    if rng.random() < 0.4:
        return "".join(rng.choice(WORDS_ZH) for _ in range(rng.randint(1, 2))) + text(rng, rng.randint(3, 6))
    return " ".join(_word(rng).capitalize() for _ in range(rng.randint(4, 10)))


def text(rng: random.Random, n: int) -> str:
    return " ".join(_word(rng) for _ in range(n))


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
    items, tags, notes, readings = [], [], [], []
    member = config.user()  # the statuses are the benchmark runner's own
    conn.execute("INSERT INTO member (name, joined_at) VALUES (?, '2025-01-01T00:00:00Z')", (member,))
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
                "inbox" if status == "inbox" else "unread",
                stamp,
            )
        )
        priority = rng.randint(0, 3)
        if status not in ("unread", "inbox") or priority:
            started = stamp if status in ("reading", "read") else None
            readings.append((i, member, status, priority, started, stamp if status == "read" else None, stamp))
        for t in rng.sample(range(1, len(TAGS) + 1), rng.randint(0, 3)):
            tags.append((i, t))
        if rng.random() < 0.5:
            notes.append((i, text(rng, 30), stamp, stamp))
    conn.executemany(
        "INSERT INTO item (id, kind, key, arxiv_id, url, title, authors, abstract, initial_status, added_at, "
        "categories, metadata_status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '[]', 'fetched')",
        items,
    )
    conn.executemany(
        "INSERT INTO reading (item_id, member, status, priority, started_at, finished_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        readings,
    )
    conn.executemany("INSERT INTO itemtag (item_id, tag_id) VALUES (?, ?)", tags)
    conn.executemany("INSERT INTO note (item_id, body, created_at, updated_at) VALUES (?, ?, ?, ?)", notes)
    index.rebuild(conn)
    conn.execute("COMMIT")
    conn.close()
    return path
