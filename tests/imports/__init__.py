"""Tests of bulk imports: the tradestats, UN Comtrade and CEPII BACI layouts, both readers."""
