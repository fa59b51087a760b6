"""newswatch storage: the document model and the store backends (remember)."""
