"""The model of a library: what this person reads, learned from their statuses, tags and notes (§14 of the
design). scikit-learn is imported only inside `training`, and only by the commands that rank."""
