"""The version, in the one place the build reads it (any layer may import it; it imports nothing)."""

__version__ = "0.3.0"
