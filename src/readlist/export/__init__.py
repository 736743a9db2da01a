"""Sharing: the markdown digest for people, and lossless exports (json, jsonl) plus bibtex and csv."""
