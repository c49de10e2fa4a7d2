"""Custom Rasa components for Vietnamese (run inside .venv-rasa)."""
