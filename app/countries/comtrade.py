"""The codes UN Comtrade gives countries and areas where they are not ISO 3166-1's.

Comtrade's reference list of areas gives a few countries a code that differs from their
ISO numeric one (a country whose territory it counts differently, such as the USA with
Puerto Rico and the US Virgin Islands, or France with Monaco). CEPII's BACI uses the same
codes. A figure filed under one of them is the country's: stored under its ISO key, read
back by its ISO codes.
"""

# Comtrade's code -> the country's ISO 3166-1 alpha-3.
COMTRADE_COUNTRY_CODES: dict[str, str] = {
    "251": "FRA",  # France (ISO 250), with Monaco
    "579": "NOR",  # Norway (ISO 578), with Svalbard and Jan Mayen
    "699": "IND",  # India (ISO 356)
    "757": "CHE",  # Switzerland (ISO 756), with Liechtenstein
    "842": "USA",  # USA (ISO 840), with Puerto Rico and the US Virgin Islands
}

# What Comtrade writes in its reporterISO / partnerISO columns for some of the areas that
# are not countries (migration 0021 stores them: World, the n.e.s. areas, special
# categories, the EU), and the alpha-3 code they go by here. ISO 3166-1 gives such areas no
# codes: here they have codes from the ranges ISO leaves to users (alpha-2 XA-XZ, alpha-3
# X..), except World and the EU, which go by the World Bank's and the UN's (WLD, EUU).
# Their Comtrade numbers (0, 490, 899, ...) are their numeric codes.
COMTRADE_AREA_CODES: dict[str, str] = {"W00": "WLD", "S19": "XOA", "_X": "XNS"}
