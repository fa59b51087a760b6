"""newswatch nlp: spaCy components, watchlist linking, quotes, stance, tone (understand)."""
