"""Words people use for goods that the HS descriptions name otherwise.

Searching `grain` should find chapter 10, "Cereals"; the WCO's descriptions never say
grain. Each common name also matches the descriptions' own words listed for it.
"""

COMMON_NAMES: dict[str, tuple[str, ...]] = {
    "grain": ("cereal",),
    "grains": ("cereal",),
    "phone": ("telephone",),
    "phones": ("telephone",),
    "smartphone": ("smartphones",),
    "car": ("motor cars",),
    "cars": ("motor cars",),
    "oil": ("petroleum oils", "oils"),
    "gas": ("petroleum gases",),
    "fertiliser": ("fertilizer",),
    "fertilisers": ("fertilizer",),
    "pulses": ("leguminous",),
}


def spellings(word: str) -> tuple[str, ...]:
    """The word itself and what the descriptions say for it."""
    return (word, *COMMON_NAMES.get(word.lower(), ()))
