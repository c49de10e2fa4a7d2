"""The `letan` command line: every area's commands gathered in one tool (the top of the layers)."""
