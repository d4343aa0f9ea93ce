"""Benchmark of the in-app API's snippet endpoint against a bare Flask endpoint."""
