"""Text a spreadsheet would run as a formula (CSV injection): escaped in every CSV we
serve, unescaped in every CSV we read back, so that an export imports unchanged."""

# A spreadsheet runs a cell that begins with one of these as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"


def _escapes(text: str) -> bool:
    # Text that already begins with quotes before a trigger gets one more, so that the
    # unescape below never eats a quote the text itself had.
    return text.lstrip(ESCAPE).startswith(FORMULA_TRIGGERS)


# What an escaped text can begin with (every trigger is one character): any other text
# is answered at once, as a CSV of a hundred figures holds a thousand cells of text.
_FIRST = frozenset(FORMULA_TRIGGERS) | {ESCAPE}


def escaped(text: str) -> str:
    """`=1+1` as `'=1+1`, and `'=1+1` as `''=1+1`; any other text as it is."""
    if not text or text[0] not in _FIRST:
        return text
    return ESCAPE + text if _escapes(text) else text


def unescaped(cell: str) -> str:
    """The text that `escaped` was given."""
    return cell[1:] if cell.startswith(ESCAPE) and _escapes(cell) else cell
