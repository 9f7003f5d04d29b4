"""Benchmarks: relevance on judged collections, speed, and extraction quality (see RESULTS.md)."""
