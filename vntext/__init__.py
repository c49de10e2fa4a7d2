"""Vietnamese text helpers shared by the backend, the NLU and speech (pure Python, no dependencies)."""
