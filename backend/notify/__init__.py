"""Messages to citizens about their dossiers: composed here, queued in an outbox, delivered by a worker.

- `providers`: one interface for every channel (email over SMTP; SMS and Zalo over an HTTP API).
"""
