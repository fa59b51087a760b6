"""Alert: rules that fire on stored documents and links, the outbox, and the channels that deliver."""
