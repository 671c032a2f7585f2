"""The ground floor every layer stands on: settings, the database (one way to a session
for each purpose), column types, errors, logging and metrics, migrations, the read lane."""
