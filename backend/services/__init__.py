"""Business logic of the backend, one module per domain; no HTTP here."""
