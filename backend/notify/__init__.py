"""Messages to citizens about their dossiers: composed here, queued in an outbox, delivered by a worker.

- `providers`: one interface for every channel (email over SMTP; SMS and Zalo over an HTTP API).
- `messages`: which statuses send a message, and what it says (never a name, phone or full code).
- `worker`: `letan notify run`, at-least-once delivery with a per-message key.
Consent and the outbox rows themselves are kept by `backend.services.notify`.
"""
