"""Contract tests: the one backend client and Rasa client against real servers."""

from tests.support.fixtures import backend_server  # noqa: F401
