"""After enrichment: weekly hot spots, daily digests, alerts, scheduling and analysis helpers."""
