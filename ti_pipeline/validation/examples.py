"""A valid example value for every declared column, and a valid example frame for every source.

What belongs here: example values derived from the catalog rules (a commune code for the commune
pattern, a SIREN with a valid Luhn key, the first allowed value of an ``isin``...). They show in the
data dictionary, and the tests build valid frames from them: when a rule is added to the catalog
without an example here, ``example_value`` says so instead of producing a frame that fails.

Not here: the synthetic sample files (``data/sample``), which have their own generator.
"""

from __future__ import annotations

import re

import pandas as pd

from ti_pipeline.sources import catalog
from ti_pipeline.sources.catalog import Field, Source

# Example per pattern used in the catalog. SIREN/SIRET examples have valid Luhn keys.
PATTERN_EXAMPLES: dict[str, str] = {
    catalog.COMMUNE_CODE: "01001",
    catalog.SIREN: "732829320",
    catalog.SIRET: "73282932000074",
    catalog.ID_TI: "ti-8402",
    r"^ti-\d+( ; ti-\d+)*$": "ti-8402 ; ti-8413",
    catalog.A38_CODE: "CA",
    catalog.NAF_SIRENE: "25.62A",
    catalog.NAF_URSSAF: "2562Z",
    r"^\d{2}$": "84",
    r"^\d{5}$": "00074",
    r"^(\d{9}|ZZZZZZZZZ)$": "200000172",
}

DTYPE_EXAMPLES: dict[str, object] = {
    "str": "texte",
    "int": "2022",
    "float": "12.5",
    "date": "2024-01-02",
    "bool": "true",
    "list": '["01400"]',
}


def example_column(f: Field) -> str:
    """A column name of the field: regex families get a member (``CODGEO_2024``, ``EFF_AZ``)."""
    if not f.name_is_regex:
        return f.name
    name = re.sub(r"\\d\{(\d+)\}", lambda m: "2024"[: int(m.group(1))].ljust(int(m.group(1)), "0"), f.name)
    # an alternation of literal names (Flores' EFF_(AZ|FZ|...)): its first one
    name = re.sub(r"\(([^()|\\]+)\|[^()]*\)", r"\1", name)
    if not re.fullmatch(f.name, name):
        raise ValueError(f"no example column name for the regex family {f.name!r}")
    return name


def example_value(f: Field) -> object:
    """A value of ``f`` that passes all its rules, as a text reader would return it."""
    if f.isin is not None:
        return f.isin[0] if f.isin[0] != "_T" or len(f.isin) == 1 else f.isin[1]
    if f.pattern is not None:
        if f.pattern not in PATTERN_EXAMPLES:
            raise ValueError(f"field {f.name!r}: no example for the pattern {f.pattern!r}; add one to PATTERN_EXAMPLES")
        return PATTERN_EXAMPLES[f.pattern]
    if f.dtype in ("int", "float") and (f.ge is not None or f.le is not None):
        low = f.ge if f.ge is not None else f.le - 1
        high = f.le if f.le is not None else low + 100
        value = (low + high) / 2
        return str(int(value)) if f.dtype == "int" else str(value)
    return DTYPE_EXAMPLES[f.dtype]


def example_frame(source: Source, millesime: int, rows: int = 3) -> pd.DataFrame:
    """A frame of ``rows`` valid rows with every declared column (optional ones included), as text."""
    fields = source.fields_for(millesime)
    data = {example_column(f): [example_value(f)] * rows for f in fields}
    frame = pd.DataFrame(data, dtype=object)
    # Rules across columns need consistent rows.
    if "obs_value_iff_not_disseminated" in source.row_checks:
        frame["OBS_STATUS"] = "A"
    if "geo_commune_code" in source.row_checks:
        frame["GEO_OBJECT"], frame["GEO"] = "COM", "01001"
    if "siret_is_siren_nic" in source.row_checks:
        frame["siret"] = frame["siren"] + frame["nic"]
    if "naf_rev2_format" in source.row_checks:
        frame["nomenclatureActivitePrincipaleEtablissement"], frame["activitePrincipaleEtablissement"] = "NAFRev2", "25.62A"
    return _distinct_keys(source, fields, frame)


def _luhn_complete(prefix: str) -> str:
    """``prefix`` and the digit that makes it pass a Luhn check (SIREN, SIRET)."""
    for digit in "0123456789":
        total = 0
        for i, ch in enumerate(reversed(prefix + digit)):
            n = int(ch) * (2 if i % 2 else 1)
            total += n - 9 if n > 9 else n
        if total % 10 == 0:
            return prefix + digit
    raise AssertionError("unreachable: one digit always completes a Luhn number")


# Valid values that differ row by row, per pattern of a key column.
_DISTINCT_BY_PATTERN = {
    catalog.COMMUNE_CODE: lambda i: f"{1001 + i:05d}",
    catalog.ID_TI: lambda i: f"ti-{8402 + i}",
    catalog.A38_CODE: lambda i: "A" + chr(ord("A") + i % 26) if i < 26 else "B" + chr(ord("A") + i % 26),
    r"^\d{2}$": lambda i: f"{(10 + i) % 100:02d}",
    catalog.SIREN: lambda i: _luhn_complete(f"{73282932 + i:08d}"),
    r"^(\d{9}|ZZZZZZZZZ)$": lambda i: _luhn_complete(f"{20000017 + i:08d}"),
    catalog.SIRET: lambda i: _luhn_complete(f"732829320{i:04d}"),
}


def _distinct_keys(source: Source, fields: tuple[Field, ...], frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of an example frame with different keys (``Source.key``): one key column is varied,
    with values that pass its rules, so that the rows are not rejects of the rule ``cle_unique``."""
    if len(frame) < 2 or not source.key:
        return frame
    key_fields = [f for f in fields if f.name in source.key]
    # a column with a known pattern first, then a bounded integer, then free text
    for f in key_fields:
        make = _DISTINCT_BY_PATTERN.get(f.pattern) if f.pattern else None
        if make is None and f.isin is None and f.pattern is None and f.dtype == "int" and f.ge is not None:
            make = lambda i, low=int(f.ge): str(low + i)  # noqa: E731
        if make is not None:
            break
    else:
        f = next((f for f in key_fields if f.pattern is None and f.isin is None and f.dtype == "str"), None)
        if f is None:
            raise ValueError(f"source {source.name!r}: no key column of which example_frame can make distinct values")
        make = lambda i, base=str(example_value(f)): f"{base}{i}"  # noqa: E731
    frame[example_column(f)] = [make(i) for i in range(len(frame))]
    if "siret_is_siren_nic" in source.row_checks and f.name == "siret":
        frame["siren"], frame["nic"] = frame["siret"].str[:9], frame["siret"].str[9:]
    return frame
