"""Identifiers and names of the synthetic world: Luhn-valid SIREN/SIRET, COG name forms, RNG streams.

What belongs here: small pure functions over codes and names that several generators share, written
with numpy so that national-scale volumes (tens of millions of SIRET) stay fast.
"""

from __future__ import annotations

import unicodedata
import zlib

import numpy as np


def rng_for(seed: int, *keys: str) -> np.random.Generator:
    """One independent random stream per (seed, purpose): adding a source never shifts another."""
    return np.random.default_rng([seed, *(zlib.crc32(k.encode()) for k in keys)])


def luhn_complete(payload: np.ndarray | int, n_digits: int) -> np.ndarray:
    """Append the Luhn check digit to ``payload`` (an integer of ``n_digits - 1`` digits).

    SIREN (9 digits) and SIRET (14 digits) are Luhn numbers: doubling every second digit from the
    right, check digit included, the digit sum is a multiple of 10.
    """
    p = np.asarray(payload, dtype=np.int64)
    total = np.zeros_like(p)
    rest = p.copy()
    # Digits of the payload from the right: position 1 (rightmost payload digit) is doubled,
    # because the check digit will take position 0.
    for pos in range(n_digits - 1):
        d = rest % 10
        rest //= 10
        if pos % 2 == 0:
            d = d * 2
            d = np.where(d > 9, d - 9, d)
        total += d
    check = (10 - total % 10) % 10
    return p * 10 + check


def luhn_valid(number: str) -> bool:
    """Whether ``number`` (digits) carries a valid Luhn key: the validation's rule, on one value."""
    from ti_pipeline.validation.rules import luhn_key_ok

    if not (number.isascii() and number.isdigit()):
        return False
    digits = np.frombuffer(number.encode(), dtype=np.uint8)[None, :] - np.uint8(48)
    return bool(luhn_key_ok(digits)[0])


def siren_from_payload(payload8: np.ndarray | int) -> np.ndarray:
    return luhn_complete(payload8, 9)


def siret_from(siren: np.ndarray | int, seq: np.ndarray | int) -> np.ndarray:
    """SIRET = SIREN + NIC, the NIC being a 4-digit sequence number and a Luhn key over all 14 digits."""
    return luhn_complete(np.asarray(siren, dtype=np.int64) * 10_000 + np.asarray(seq, dtype=np.int64), 14)


def ncc(name: str) -> str:
    """COG ``NCC`` form: upper case, no accents, hyphens and apostrophes as spaces."""
    s = unicodedata.normalize("NFKD", name.replace("œ", "oe").replace("Œ", "OE"))
    s = "".join(c for c in s if not unicodedata.combining(c))
    return s.upper().replace("-", " ").replace("'", " ").replace("–", " ").replace("  ", " ").strip()


def split_article(libelle: str) -> tuple[int, str]:
    """COG ``LIBELLE`` -> (TNCC, NCCENR): 'Le Pont' -> (2, 'Pont'); names without article: TNCC 0/1."""
    for tncc, art in ((4, "Les "), (2, "Le "), (3, "La "), (5, "L'")):
        if libelle.startswith(art):
            return tncc, libelle[len(art):]
    return (1 if libelle[:1] in "AEIOUÉÈÎÔYaeiou" else 0), libelle
