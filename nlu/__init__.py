"""letan NLU tooling (training data generation, training, serving); the Rasa project lives beside it."""
