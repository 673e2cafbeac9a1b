"""Benchmarks of the tracker against raw SQLite, orjson and the eventsourcing library."""
