"""Write tests/data/search_queries.json: for each query, the items of the shipped notes that must be found.

Relevance is decided here by a plain regular expression over an item's title, short name and tags (the
heading the user filed it under), chosen by a person per query (English and Chinese spellings of the
concept), never by readlist's own search code.
Run after `readlist --db LIB import data/notes/`:  python scripts/label_queries.py LIB
"""

from __future__ import annotations

import json
import re
import sqlite3
import sys
from pathlib import Path

QUERIES = {
    "kv cache": r"kv[\s\-_]?cache|kv\s?缓存",
    "量化": r"量化|quantiz",
    "投机解码": r"投机|推测解码|speculative (?:decoding|sampling|inference)",
    "RL": r"\brl\b|强化学习|reinforcement",
    "稀疏": r"稀疏|sparse|sparsity",
    "剪枝": r"剪枝|prun",
    "蒸馏": r"蒸馏|distill",
    "混合专家": r"\bmoe|混合专家|mixture[\s-]of[\s-]experts",
    "长上下文": r"长上下文|long[\s-]context",
    "算子": r"算子|kernel|operator",
    "调度": r"调度|schedul",
    "显存": r"显存|memory|内存",
    "强化学习": r"\brl\b|强化学习|reinforcement",
    "预填充": r"预填充|prefill",
    "矩阵乘": r"矩阵乘|gemm\b|matmul",
    "扩散模型": r"扩散|diffusion",
    "flash attention": r"flash[\s-]?attention",
    "triton": r"triton",
    "cutlass": r"cutlass",
    "mamba": r"mamba",
    "fp4": r"fp4",
    "agent": r"agent|智能体",
    "softmax": r"softmax",
    "vllm": r"vllm",
    "tokenizer": r"tokenizer|分词",
    "megatron": r"megatron",
    "speculative decoding": r"投机|推测解码|speculative (?:decoding|sampling|inference)",
    "prefill": r"预填充|prefill",
}


def main(db_path: str) -> None:
    conn = sqlite3.connect(db_path)
    rows = conn.execute(
        "SELECT key, title, coalesce(short_name, '') || ' ' || coalesce((SELECT group_concat(t.name, ' ') "
        "FROM itemtag it JOIN tag t ON t.id = it.tag_id WHERE it.item_id = item.id), '') FROM item"
    ).fetchall()
    labelled = []
    for query, pattern in QUERIES.items():
        rx = re.compile(pattern, re.IGNORECASE)
        keys = sorted(key for key, title, short in rows if rx.search(f"{title} {short}"))
        labelled.append({"query": query, "relevance": pattern, "relevant": keys})
    out = Path(__file__).resolve().parents[1] / "tests" / "data" / "search_queries.json"
    out.write_text(json.dumps(labelled, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out}: {len(labelled)} queries")


if __name__ == "__main__":
    main(sys.argv[1])
