"""Test helpers shared by every area's suite (a real backend subprocess, a fresh PostgreSQL database)."""
