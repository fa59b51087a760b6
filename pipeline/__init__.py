"""newswatch pipeline: config, ingest, alerts, digest, CLI, bench (run and deliver)."""
