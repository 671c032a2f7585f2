"""The store version: one number that database triggers bump on every change.

See the migration that creates `store_version`: any INSERT, UPDATE or DELETE on the data
tables increments it in the same transaction, so it changes exactly when the data does.
"""

VERSION_QUERY = "SELECT version FROM store_version WHERE id = 1"
