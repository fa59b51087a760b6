"""The web room: the HTTP API (FastAPI), the server-rendered UI (Jinja2 templates), charts and static assets."""
