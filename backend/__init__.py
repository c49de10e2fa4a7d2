"""letan backend: the service point server that owns all state."""
