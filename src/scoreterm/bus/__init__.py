"""Publish/subscribe of updates: in-process, or over Redis."""
