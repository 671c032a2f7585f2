"""Plain rules every domain shares: the vocabularies, period grammar, code patterns,
number formatting, the API's shared shapes, spreadsheet escaping, reference caches."""
