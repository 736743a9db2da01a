"""readlist: a reading-list manager for ML-systems papers and articles."""

__version__ = "0.1.0"
