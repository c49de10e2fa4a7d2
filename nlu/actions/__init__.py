"""Custom actions of the letan assistant (run by `letan nlu actions` inside .venv-rasa)."""
