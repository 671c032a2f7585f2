"""Tests of migrations, the store's layout, read lanes and replicas."""
