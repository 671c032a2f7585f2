"""Tests of the HS nomenclature and its search."""
