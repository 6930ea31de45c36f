"""Test rigs: process starters (``langgraph dev``, PostgreSQL) and the local OKX REST emulator."""
