"""The contracts between letan's processes, in pure Python for both environments (.venv and .venv-rasa).

- `settings`: the variables every process shares (data directory, backend and Rasa URLs, device token).
- `resources`: the backend's resources as typed values, decoded once (`from_dict`) for every client.
- `cards`: the bot message cards (the `custom` payloads of the assistant's messages) and its buttons.
- `backend_client`, `rasa_client`: the one client of each HTTP contract, with one retry and error policy.
- `errors`: their errors, each with a stable `code` and a Vietnamese message.

Nothing here imports another letan package but `vntext`.
"""
