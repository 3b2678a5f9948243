"""Benchmarks: a deterministic content corpus and the build timings measured on it."""
