# letan — run `make help` for the list.
SHELL := /bin/bash
export RASA_TELEMETRY_ENABLED := false
export SANIC_HOST := 127.0.0.1
LETAN := .venv/bin/letan

.PHONY: help setup run services test lint

help: ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

setup: ## install apt packages, .venv and .venv-rasa (safe to rerun)
	@scripts/setup.sh

run: setup ## start the backend, the assistant and the kiosk on the embedded defaults (Ctrl-C stops all)
	@$(LETAN) prepare
	@.venv/bin/honcho -f Procfile start

services: setup ## start everything but the kiosk, in the foreground
	@$(LETAN) prepare
	@.venv/bin/honcho -f Procfile start backend rasa actions publisher notify

lint: setup ## ruff and mypy
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy vntext contract backend kiosk speech content nlu bench deploy

test: setup lint ## the whole test suite (lint, content check, pytest)
	$(LETAN) content check
	.venv/bin/pytest --ignore=tests/kiosk
	@# Kivy's one window per process: the kiosk suite runs in a process of its own.
	.venv/bin/pytest tests/kiosk
