"""Benchmarks: model configurations, serving, bulk and cost, side by side in one run (`make bench`)."""
