"""The service database (scheduled jobs, their results, the alert outbox, lease owners).

A room of its own below both ``pipeline.service`` (the scheduler) and ``pipeline.alerts`` (the
outbox), which both keep state in it: neither room needs the other to reach its tables.
"""
