"""Tests of the HTTP surface: errors, formats, caching, docs, the OpenAPI contract."""
