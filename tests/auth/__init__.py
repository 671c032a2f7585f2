"""Tests of API keys, scopes and the write limit."""
