"""ISO 3166-1 alpha-2 country codes and names (English and Polish), from pycountry's iso-codes data."""

from __future__ import annotations

import functools
import gettext

import pycountry


@functools.cache
def codes() -> frozenset[str]:
    return frozenset(country.alpha_2 for country in pycountry.countries)


@functools.cache
def choices() -> list[tuple[str, str]]:
    """(code, English name) pairs sorted by name, for select fields."""
    return sorted(((c.alpha_2, c.name) for c in pycountry.countries), key=lambda pair: pair[1])


def is_country(code: str | None) -> bool:
    return bool(code) and code.upper() in codes()


def name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code.upper())
    return country.name if country else code


@functools.cache
def polish() -> gettext.NullTranslations:
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["pl"], fallback=True)
