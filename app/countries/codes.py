"""How a country or area code is read, wherever one comes in (a path, a filter, a file):
the one rule of which column a code names, and the code it is there."""

import re

from app.countries.comtrade import COMTRADE_AREA_CODES, COMTRADE_COUNTRY_CODES


def code_column(text: str) -> tuple[str, str] | None:
    """The column a code is in and its value there: alpha2 or alpha3 (upper case),
    numeric (three digits: 31 is 031), or alpha3 for a code UN Comtrade gives a country
    (842, the USA) or an area (W00, World); None when it is no code."""
    code = text.strip()
    if code.upper() in COMTRADE_AREA_CODES:
        return "alpha3", COMTRADE_AREA_CODES[code.upper()]
    if re.fullmatch(r"[A-Za-z]{2}", code):
        return "alpha2", code.upper()
    if re.fullmatch(r"[A-Za-z]{3}", code):
        return "alpha3", code.upper()
    if re.fullmatch(r"\d{1,3}", code, re.ASCII):
        numeric = code.zfill(3)
        if numeric in COMTRADE_COUNTRY_CODES:
            return "alpha3", COMTRADE_COUNTRY_CODES[numeric]
        return "numeric", numeric
    return None
