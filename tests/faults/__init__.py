"""Tests of faults: the database stopped under a running API, a standby."""
