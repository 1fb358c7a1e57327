"""Enrichment: Vietnamese normalisation, tokenization, topic tagging, provinces and story clusters."""
