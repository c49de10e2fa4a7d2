"""Stub that makes `import jax` fail inside the Rasa processes.

TensorFlow 2.12 imports jax optionally (for TFLite conversion, which the assistant never uses);
`letan nlu serve/train` put `nlu/runtime` first on PYTHONPATH so that optional import fails
fast and the server stays ~100 MB smaller. Nothing in Rasa needs jax.
"""

raise ImportError("jax is not used by the letan assistant")
