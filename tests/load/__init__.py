"""Tests of servers under load: many clients, slow clients, workers, memory."""
