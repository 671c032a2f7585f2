"""Tests of figures: writes, revisions, reads of stored figures, exports."""
