"""Tests of a pair's figures and what they imply, a country's partners, two reporters."""
