"""news-worker: clean, split, deduplicate and enrich crawled news articles on Kafka."""

__version__ = "0.1.0"
