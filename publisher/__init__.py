"""coop-publisher: check a cooperative's books and publish them as a static site."""

__version__ = "0.1.0"
