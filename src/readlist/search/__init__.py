"""Full-text search: text normalisation, index maintenance, query building and ranking."""
