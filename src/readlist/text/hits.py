"""How a search snippet marks the words that matched: the one spelling search writes and every front end reads."""

HIT_START, HIT_END = "\x02", "\x03"  # rendered bold in a table, «» in JSON, <mark> on the web


def hits_for_json(snippet: str) -> str:
    return snippet.replace(HIT_START, "«").replace(HIT_END, "»")


def without_hits(snippet: str) -> str:
    return snippet.replace(HIT_START, "").replace(HIT_END, "")
