"""Tests of the repository as a whole: layers, Makefile, compose file, README."""
