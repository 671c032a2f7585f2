"""Tests of SDMX-REST structures and data, checked with an independent reader."""
