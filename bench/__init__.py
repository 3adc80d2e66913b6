"""Benchmarks: commands that print figures (see bench/README.md once written)."""
