"""The digest: what happened in a window, rendered from templates, written and emailed."""
