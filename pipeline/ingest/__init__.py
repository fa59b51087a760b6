"""Ingest: records in (JSON lines, crawls), documents analyzed and stored, answers out."""
