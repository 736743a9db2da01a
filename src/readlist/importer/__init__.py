"""Notes → items: decoding (encodings, mojibake), markdown structure, link classification, merge."""
