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
    """A column name of the field: regex families get a member (``CODGEO_2024``)."""
    if not f.name_is_regex:
        return f.name
    name = re.sub(r"\\d\{(\d+)\}", lambda m: "2024"[: int(m.group(1))].ljust(int(m.group(1)), "0"), f.name)
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
    return frame
