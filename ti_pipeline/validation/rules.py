"""Named value rules that pattern / isin / bounds cannot express, as vectorised functions.

What belongs here: the checks a catalog ``Field.checks`` entry or a ``Source.row_checks`` entry
names — Luhn keys of SIREN and SIRET (with La Poste's exception), plausible dates, and rules across
several columns of one row (Flores secret cells, commune codes at commune level, SIRET = SIREN + NIC),
and ``on_distinct_values``, which runs such a test (or a pattern, for ``schemas``) once per distinct
value of a column of repeated codes.
Each rule works on whole columns (numpy / pandas string methods), never row by row in Python,
because Flores and Sirene have millions of rows.

Conventions: a rule returns a boolean Series aligned on its input, ``True`` where the value passes.
Missing values pass (nullability is its own rule), and so do values of the wrong shape (a SIRET of
13 characters fails its pattern; reporting it again as a bad Luhn key would only add noise).

Not here: turning catalog fields into a pandera schema (``schemas``), running it (``validate``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from ti_pipeline.sources.catalog import COMMUNE_CODE, NAF_SIRENE


def on_distinct_values(values: pd.Series, test: Callable[[pd.Series], pd.Series], missing: bool) -> pd.Series:
    """``test(values)``, an elementwise test giving booleans, computed once per distinct value and
    taken back to the rows; ``missing`` for empty cells. Codes repeat: a regular expression on the
    37 A38 activities or 34,000 areas of the national Flores file instead of its 4.4 M cells (0.49
    -> 0.18 s for ``GEO``). Mostly distinct values (SIRETs) are tested as they are."""
    codes, distinct = pd.factorize(values)
    if len(distinct) == 0:
        return pd.Series(missing, index=values.index, dtype=bool)
    if len(distinct) > len(values) // 2:  # mostly distinct (SIRETs): tested as they are
        answers = np.asarray(test(values), dtype=bool)
        return pd.Series(np.where(codes >= 0, answers, missing), index=values.index)
    answers = np.asarray(test(pd.Series(distinct, dtype=values.dtype)), dtype=bool)
    return pd.Series(np.where(codes >= 0, answers[codes], missing), index=values.index)


# La Poste's establishments are too many for a Luhn key on five NIC digits: Insee accepts SIRETs
# of the SIREN 356000000 whose digit sum is a multiple of 5 (e.g. 35600000049837). Its head office,
# 35600000000048, is an ordinary Luhn number, so for La Poste either form passes.
LA_POSTE_SIREN = "356000000"

# Dates before this are placeholders or typing errors (Sirene's oldest real creation dates are
# 19th century); dates more than a year ahead are typing errors too.
PLAUSIBLE_DATE_MIN = pd.Timestamp("1800-01-01")
PLAUSIBLE_DATE_MAX_AHEAD_DAYS = 366


def _digit_matrix(values: pd.Series, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows of ``values`` made of exactly ``width`` ASCII digits, as an (n, width) uint8 matrix.

    Returns (mask over ``values``, digit matrix of the masked rows).
    """
    text = values.astype("string")
    mask = text.str.fullmatch(rf"[0-9]{{{width}}}").fillna(False).to_numpy(dtype=bool)
    picked = text[mask].to_numpy(dtype=object).astype(f"S{width}")
    digits = np.frombuffer(picked.tobytes(), dtype=np.uint8).reshape(-1, width) - np.uint8(48)
    return mask, digits


# A doubled digit's Luhn contribution (2*d, minus 9 above 9), looked up rather than computed.
_DOUBLED = np.array([0, 2, 4, 6, 8, 1, 3, 5, 7, 9], dtype=np.uint8)


def luhn_key_ok(digits: np.ndarray) -> np.ndarray:
    """Luhn key of each row of a digit matrix: from the right, every second digit is doubled.

    The project's one Python home of the SIREN/SIRET key (the SQL one is the macro
    ``identifiant_entreprise_valide`` of ``dbt_like_sql/macros/``); the sample generator uses it too."""
    width = digits.shape[1]
    doubled = ((width - 1 - np.arange(width)) % 2) == 1
    total = digits[:, ~doubled].sum(axis=1, dtype=np.int32) + _DOUBLED[digits[:, doubled]].sum(axis=1, dtype=np.int32)
    return total % 10 == 0


def luhn_siren(values: pd.Series) -> pd.Series:
    """SIREN (9 digits) with a valid Luhn key."""
    mask, digits = _digit_matrix(values, 9)
    ok = np.ones(len(values), dtype=bool)
    ok[mask] = luhn_key_ok(digits)
    return pd.Series(ok, index=values.index)


def luhn_siret(values: pd.Series) -> pd.Series:
    """SIRET (14 digits): Luhn key of the 14 digits and of its SIREN; La Poste's exception."""
    mask, digits = _digit_matrix(values, 14)
    text = values.astype("string")[mask]
    la_poste = text.str.startswith(LA_POSTE_SIREN).to_numpy(dtype=bool)
    key_ok = luhn_key_ok(digits) | (la_poste & (digits.sum(axis=1, dtype=np.int32) % 5 == 0))
    ok = np.ones(len(values), dtype=bool)
    ok[mask] = key_ok & luhn_key_ok(digits[:, :9])
    return pd.Series(ok, index=values.index)


def plausible_date(values: pd.Series) -> pd.Series:
    """A date between 1800-01-01 and one year from today."""
    latest = pd.Timestamp(dt.date.today()) + pd.Timedelta(days=PLAUSIBLE_DATE_MAX_AHEAD_DAYS)
    ok = (values >= PLAUSIBLE_DATE_MIN) & (values <= latest)
    return ok.fillna(True).astype(bool)


@dataclass(frozen=True)
class ValueRule:
    """A rule on the values of one column (``Field.checks``)."""

    name: str
    description: str
    fn: Callable[[pd.Series], pd.Series]


VALUE_RULES: dict[str, ValueRule] = {
    r.name: r
    for r in (
        ValueRule("luhn_siren", "SIREN Luhn key is valid", luhn_siren),
        ValueRule(
            "luhn_siret",
            "SIRET Luhn key (and its SIREN's) is valid; La Poste (SIREN 356000000): or digit sum multiple of 5",
            luhn_siret,
        ),
        ValueRule("plausible_date", "date between 1800-01-01 and one year from today", plausible_date),
    )
}


# ------------------------------------------------------------------------------------------------
# Rules across the columns of a row
# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RowRule:
    """A rule across several columns of a row (``Source.row_checks``).

    ``column`` is the column a rejected row is reported under (its value is shown); ``columns`` are
    all the columns the rule reads. The rule is skipped when one of them is absent (optional column).
    """

    name: str
    description: str
    column: str
    columns: tuple[str, ...]
    fn: Callable[[pd.DataFrame], pd.Series]


def _obs_value_iff_not_disseminated(df: pd.DataFrame) -> pd.Series:
    # Flores: a cell not disseminated (OBS_STATUS K) carries no value, and only those are empty; an
    # empty value with another status would be summed as 0 downstream without anyone knowing.
    secret = (df["OBS_STATUS"] == "K").fillna(False).astype(bool)
    empty = df["OBS_VALUE"].isna()
    return secret == empty


def _geo_commune_code(df: pd.DataFrame) -> pd.Series:
    # GEO holds codes of every level (region '84', ZE '8405'...); only COM and ARM (arrondissement
    # municipal: 75101, 69381, 13201) rows are commune codes.
    at_commune = df["GEO_OBJECT"].isin(["COM", "ARM"]).fillna(False).astype(bool)
    is_code = on_distinct_values(
        df["GEO"].astype("string"), lambda geo: geo.str.fullmatch(COMMUNE_CODE.strip("^$")).fillna(False).astype(bool), False
    )
    return ~at_commune | is_code


def _siret_is_siren_nic(df: pd.DataFrame) -> pd.Series:
    siret, siren, nic = (df[c].astype("string") for c in ("siret", "siren", "nic"))
    known = siret.notna() & siren.notna() & nic.notna()
    return (~known | (siret == siren + nic)).fillna(True).astype(bool)


def _naf_rev2_format(df: pd.DataFrame) -> pd.Series:
    # Only current codes (NAFRev2) have the '25.62A' form; older nomenclatures have their own.
    rev2 = (df["nomenclatureActivitePrincipaleEtablissement"] == "NAFRev2").fillna(False).astype(bool)
    code = df["activitePrincipaleEtablissement"].astype("string")
    ok = code.str.fullmatch(NAF_SIRENE.strip("^$")).fillna(False).astype(bool) | code.isna()
    return ~rev2 | ok


ROW_RULES: dict[str, RowRule] = {
    r.name: r
    for r in (
        RowRule(
            "obs_value_iff_not_disseminated",
            "OBS_VALUE is empty if and only if OBS_STATUS is K (not disseminated: secret statistique)",
            "OBS_VALUE",
            ("OBS_VALUE", "OBS_STATUS"),
            _obs_value_iff_not_disseminated,
        ),
        RowRule(
            "geo_commune_code",
            "GEO is a commune code (^(\\d{5}|2[AB]\\d{3})$) when GEO_OBJECT is COM or ARM",
            "GEO",
            ("GEO", "GEO_OBJECT"),
            _geo_commune_code,
        ),
        RowRule(
            "siret_is_siren_nic",
            "siret is siren followed by nic",
            "siret",
            ("siret", "siren", "nic"),
            _siret_is_siren_nic,
        ),
        RowRule(
            "naf_rev2_format",
            "activitePrincipaleEtablissement has the NAF rév. 2 form (25.62A) when its nomenclature is NAFRev2",
            "activitePrincipaleEtablissement",
            ("activitePrincipaleEtablissement", "nomenclatureActivitePrincipaleEtablissement"),
            _naf_rev2_format,
        ),
    )
}


def describe(rule: str) -> str:
    """A one-line description of a named rule (value or row rule), for messages and the dictionary."""
    if rule in VALUE_RULES:
        return VALUE_RULES[rule].description
    if rule in ROW_RULES:
        return ROW_RULES[rule].description
    raise KeyError(f"unknown validation rule {rule!r}; known: {sorted(VALUE_RULES) + sorted(ROW_RULES)}")
