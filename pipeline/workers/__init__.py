"""Analysis workers on a broker (Celery): the second ingest stage spread over processes and machines.

``app`` (the Celery settings), ``dispatch`` (the ingesting side: arrival here, one task per fresh
document), ``runner`` (the task and ``newswatch worker``), ``analysis`` (what a task does, idempotent),
``dead_letter`` (documents that failed every retry). See docs/deployment.md.
"""
