"""French formatting of the figures shown in the portraits: numbers, shares, euros, dates.

French typography: a comma for the decimal mark, a narrow no-break space (U+202F) between groups
of thousands and before ``%`` and ``€``, a true minus sign (U+2212). A missing value is ``n.d.``
(non disponible), never ``0`` nor ``nan``. Nothing here knows about marts or HTML.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal

NNBSP = "\u202f"  # espace fine insécable
MINUS = "\u2212"
NA = "n.d."

# Units of dim_indicateur (and the few the marts may add): how a value is written.
UNITE_PART = "part"
UNITE_TAUX = "taux"  # a rate of change as a fraction (-0.05 = -5 %), written with its sign
UNITE_POUR_100 = "pour 100"
UNITE_POUR_10000 = "pour 10 000"
UNITE_NOMBRE = "nombre"
UNITES_EUROS = {"eur", "euros", "€"}
UNITES_POURCENT = {"%", "pourcent", "pourcentage"}


def is_missing(x) -> bool:
    """True for None, NaN, pandas NA and anything that is not a number."""
    if x is None:
        return True
    try:
        return math.isnan(float(x))
    except (TypeError, ValueError):
        return True


def format_nombre(x, decimales: int = 0, signe: bool = False) -> str:
    """``12345.6`` -> ``12 346``; ``139.196, 1`` -> ``139,2``; ``signe`` adds ``+`` to positives."""
    if is_missing(x):
        return NA
    x = float(x)
    # half away from zero on the shortest decimal form (156.25 -> 156,3, as statisticians round),
    # not Python's half-to-even on the binary value
    arrondi = Decimal(repr(abs(x))).quantize(Decimal(1).scaleb(-decimales), rounding=ROUND_HALF_UP)
    text = f"{arrondi:,.{decimales}f}".translate({ord(","): NNBSP, ord("."): ","})
    # a value that rounds to zero is written without a sign (no "−0,0")
    is_zero = arrondi == 0
    if x < 0 and not is_zero:
        return MINUS + text
    if signe and x > 0 and not is_zero:
        return "+" + text
    return text


def format_part(x, decimales: int = 1, signe: bool = False) -> str:
    """A share between 0 and 1 as a percentage: ``0.1234`` -> ``12,3 %``."""
    if is_missing(x):
        return NA
    return format_nombre(float(x) * 100, decimales, signe) + NNBSP + "%"


def format_euros(x) -> str:
    """``850000`` -> ``850 000 €``; ``12.3e6`` -> ``12,3 M€``; ``1.25e9`` -> ``1,3 Md€``."""
    if is_missing(x):
        return NA
    x = float(x)
    if abs(x) >= 1e9:
        return format_nombre(x / 1e9, 1) + NNBSP + "Md€"
    if abs(x) >= 1e6:
        return format_nombre(x / 1e6, 1) + NNBSP + "M€"
    return format_nombre(x, 0) + NNBSP + "€"


def decimales_nombre(x) -> int:
    """Counts are shown as integers; a small non-integer value (an estimate) keeps one decimal."""
    if is_missing(x):
        return 0
    x = abs(float(x))
    return 0 if x >= 100 or float(x).is_integer() else 1


def format_valeur(x, unite: str | None, signe: bool = False, decimales: int | None = None) -> str:
    """A value in its ``dim_indicateur`` unit: ``part`` as ``%``, ``taux`` as a signed ``%``,
    counts with thousands, euros in €, M€ or Md€; ``decimales`` overrides the default precision."""
    if is_missing(x):
        return NA
    u = (unite or "").strip().lower()
    d = 1 if decimales is None else decimales
    if u == UNITE_PART:
        return format_part(x, d, signe=signe)
    if u == UNITE_TAUX:
        return format_part(x, d, signe=True)
    if u in UNITES_POURCENT:
        return format_nombre(x, d, signe) + NNBSP + "%"
    if u in (UNITE_POUR_100, UNITE_POUR_10000):
        return format_nombre(x, d, signe)
    if u in UNITES_EUROS:
        return format_euros(x)
    if u == UNITE_NOMBRE or not u:
        return format_nombre(x, decimales_nombre(x), signe)
    # a unit this renderer does not know yet: the number, then the unit as the mart writes it
    return format_nombre(x, 1, signe) + " " + unite


def format_indice(x) -> str:
    """A location quotient or an index: ``1.834`` -> ``1,83``."""
    return format_nombre(x, 2)


def parse_nombre_fr(text: str) -> float | None:
    """The inverse of the formatters, for tests and readers of the pages: ``12 346`` -> 12346.0,
    ``12,3 %`` -> 12.3, ``−1,5`` -> -1.5, ``1,2 M€`` -> 1200000.0; ``n.d.`` -> None."""
    t = text.strip()
    if not t or t == NA:
        return None
    factor = 1.0
    for suffix, f in (("Md€", 1e9), ("M€", 1e6), ("€", 1.0), ("%", 1.0)):
        if t.endswith(suffix):
            t, factor = t[: -len(suffix)], f
            break
    t = t.replace(NNBSP, "").replace("\u00a0", "").replace(" ", "").replace(MINUS, "-").replace(",", ".")
    return float(t) * factor


MOIS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
        "octobre", "novembre", "décembre")


def _parse_datetime(value) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def format_date(value) -> str:
    """An ISO timestamp as a French date: ``2026-11-22T10:02:23+00:00`` -> ``22 novembre 2026``."""
    d = _parse_datetime(value)
    if d is None:
        return str(value) if value else NA
    return f"{d.day} {MOIS[d.month - 1]} {d.year}"


def format_date_courte(value) -> str:
    """``2026-11-22T10:02:23+00:00`` -> ``22/11/2026`` (for tables)."""
    d = _parse_datetime(value)
    if d is None:
        return str(value) if value else NA
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def format_date_heure(value) -> str:
    """``22 novembre 2026 à 10 h 02 UTC`` (timestamps in the marts are UTC)."""
    d = _parse_datetime(value)
    if d is None:
        return str(value) if value else NA
    if d.tzinfo is not None:
        d = d.astimezone(timezone.utc)
    return f"{format_date(d)} à {d.hour} h {d.minute:02d} UTC"


def pluriel(n: int, singulier: str, pluriel_: str | None = None) -> str:
    """``1 commune``, ``12 communes``, ``1 234 communes`` (French: 0 and 1 are singular)."""
    mot = singulier if abs(n) < 2 else (pluriel_ or singulier + "s")
    return f"{format_nombre(n)} {mot}"
