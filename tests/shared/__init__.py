"""Tests of the period grammar."""
