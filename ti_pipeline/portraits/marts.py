"""Reading the published Parquet marts, as any downstream tool would.

The portraits read ``<marts_dir>/<mart>`` (``data/marts``: the current release's marts) or the
folders of a mapping (the audited builds the next release will hold) with pyarrow, and nothing else: no raw data, no lake, no
catalog internals. Each symlink is resolved once, so one portrait build reads one version of each
mart even if a refresh publishes a new one meanwhile.

A mart that is absent or unreadable is recorded in ``Marts.missing`` with the reason instead of
failing the build: every portrait section says what it could not show.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Mapping, TypeVar, Union

import pyarrow as pa
import pyarrow.parquet as pq

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow.dataset as ds

# pandas and pyarrow.dataset (which imports pandas) are imported where a mart is read: the frames
# come from pyarrow's to_pandas, and PORTRAIT_MARTS is read by the up-to-date check, which must
# not pay 0.4 s of pandas to learn the names of seven marts.

# The marts the portraits know how to show (DESIGN.md, "Layers and names"). The first three are
# required for a portrait to make sense; the others enrich sections when they are published.
# mart_ti_portrait (wide) is not read: it repeats mart_ti_indicateurs without the comparators.
MARTS_REQUIS = ("dim_indicateur", "mart_ti_composition", "mart_ti_indicateurs")
MARTS_OPTIONNELS = (
    "mart_ti_groupements", "mart_ti_secteurs", "mart_ti_laureats", "mart_laureats",
    "mart_ti_contours", "mart_communes_contours",  # the maps (GeoParquet, ti_pipeline.geo)
)
PORTRAIT_MARTS = MARTS_REQUIS + MARTS_OPTIONNELS

META_PREFIX = "ti_pipeline."

# Types of hive partition columns, as the SQL runner records them (DuckDB names).
_DUCKDB_TO_ARROW = {
    "BIGINT": pa.int64(),
    "INTEGER": pa.int32(),
    "SMALLINT": pa.int16(),
    "TINYINT": pa.int8(),
    "HUGEINT": pa.int64(),
    "DOUBLE": pa.float64(),
    "FLOAT": pa.float32(),
    "BOOLEAN": pa.bool_(),
    "DATE": pa.date32(),
    "VARCHAR": pa.string(),
}

T = TypeVar("T")


class MartsUnavailable(RuntimeError):
    """A mart the portraits cannot do without is missing."""


@dataclass(frozen=True)
class Mart:
    """One published mart: its rows, the version folder read and its key-value metadata."""

    name: str
    version_dir: Path
    frame: pd.DataFrame
    metadata: dict

    @property
    def version(self) -> str:
        return self.version_dir.name

    @property
    def synthetic(self) -> bool:
        return bool(self.metadata.get("synthetic")) or any(
            e.get("synthetic") for e in provenance_entries(self.metadata.get("provenance"))
        )

    @property
    def provenance(self) -> list[dict]:
        return provenance_entries(self.metadata.get("provenance"))


@dataclass
class Marts:
    """The marts read for one portrait build; ``missing`` maps an absent mart to the reason."""

    directory: Path
    marts: dict[str, Mart] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)
    # tables derived from the marts (e.g. a mart split by territory), kept for the whole build
    _derived: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def get(self, name: str) -> Mart | None:
        return self.marts.get(name)

    def derived(self, key: str, compute: Callable[[], T]) -> T:
        """``compute()``, run on the first call for ``key`` and kept: the marts never change once
        read, and a build asks the same question for each of its ~200 pages (splitting a mart by
        territory once, instead of filtering the whole frame for every page, is most of the speed
        of a national build). Callers must not modify what they get back."""
        if key not in self._derived:
            self._derived[key] = compute()
        return self._derived[key]

    def frame(self, name: str) -> pd.DataFrame | None:
        mart = self.marts.get(name)
        return None if mart is None else mart.frame

    @property
    def synthetic(self) -> bool:
        return any(m.synthetic for m in self.marts.values())

    def provenance(self) -> list[dict]:
        """Every source release upstream of any mart read, once each, sorted by source and vintage."""
        seen: dict[tuple, dict] = {}
        for mart in self.marts.values():
            for entry in mart.provenance:
                key = (entry.get("source"), entry.get("millesime"), entry.get("sha256"))
                seen.setdefault(key, entry)
        return sorted(seen.values(), key=lambda e: (str(e.get("source")), -int(e.get("millesime") or 0)))


def provenance_entries(value) -> list[dict]:
    """``ti_pipeline.provenance`` is ``{source: [release, ...]}``; flatten it to a list of releases."""
    if not value:
        return []
    if isinstance(value, dict):
        out = []
        for source, releases in value.items():
            for r in releases if isinstance(releases, list) else [releases]:
                if isinstance(r, dict):
                    out.append({"source": source, **r})
        return out
    if isinstance(value, list):
        return [r for r in value if isinstance(r, dict)]
    return []


def decode_metadata(raw: dict[bytes, bytes] | None) -> dict:
    """The ``ti_pipeline.*`` key-value metadata of a Parquet file, JSON-decoded, prefix removed."""
    out = {}
    for k, v in (raw or {}).items():
        key = k.decode("utf-8", "replace")
        if not key.startswith(META_PREFIX):
            continue
        text = v.decode("utf-8", "replace")
        try:
            out[key[len(META_PREFIX):]] = json.loads(text)
        except ValueError:
            out[key[len(META_PREFIX):]] = text
    return out


def _partitioning(metadata: dict, version_dir: Path) -> ds.Partitioning | str | None:
    import pyarrow.dataset as ds

    part = metadata.get("partitioning")
    if isinstance(part, dict) and part.get("columns"):
        types = part.get("types") or {}
        schema = pa.schema(
            [(c, _DUCKDB_TO_ARROW.get(str(types.get(c, "VARCHAR")).upper(), pa.string())) for c in part["columns"]]
        )
        return ds.partitioning(schema, flavor="hive")
    # no recorded partitioning: hive folders are still read (types inferred) rather than ignored
    if any("=" in p.name for p in version_dir.iterdir() if p.is_dir()):
        return "hive"
    return None


MartsSource = Union[Path, Mapping[str, Path]]


def mart_folder(marts: MartsSource, name: str) -> Path:
    """Where mart ``name`` is: ``<marts>/<name>`` for a folder of marts (the published
    ``data/marts``), or the folder a mapping gives (the audited builds a release will hold)."""
    if isinstance(marts, Mapping):
        return Path(marts.get(name) or Path("/nonexistent") / name)
    return Path(marts) / name


def read_mart(marts_dir: MartsSource, name: str) -> Mart:
    """Read one mart (all partitions) with its metadata. Raises ``FileNotFoundError``."""
    link = mart_folder(marts_dir, name)
    if not link.exists():
        raise FileNotFoundError(f"{link} n'existe pas")
    version_dir = link.resolve()
    files = sorted(p for p in version_dir.rglob("*.parquet") if not any(s.startswith((".", "_")) for s in p.relative_to(version_dir).parts))
    if not files:
        raise FileNotFoundError(f"aucun fichier Parquet dans {version_dir}")
    import pyarrow.dataset as ds

    metadata = decode_metadata(pq.read_schema(files[0]).metadata)
    dataset = ds.dataset(version_dir, format="parquet", partitioning=_partitioning(metadata, version_dir))
    frame = dataset.to_table().to_pandas()
    order = (metadata.get("partitioning") or {}).get("column_order") if isinstance(metadata.get("partitioning"), dict) else None
    if order and set(order) == set(frame.columns):
        frame = frame[order]
    return Mart(name=name, version_dir=version_dir, frame=frame, metadata=metadata)


def load_marts(marts_dir: MartsSource, names: tuple[str, ...] = PORTRAIT_MARTS, required: tuple[str, ...] = MARTS_REQUIS) -> Marts:
    """Read the marts the portraits use (from a folder of marts, or a mapping name -> folder); raise
    ``MartsUnavailable`` only if a required one is missing."""
    marts = Marts(directory=Path(marts_dir) if not isinstance(marts_dir, Mapping) else Path("."))
    for name in names:
        try:
            marts.marts[name] = read_mart(marts_dir, name)
        except FileNotFoundError:
            marts.missing[name] = "non publié"
        except (OSError, pa.ArrowException) as exc:
            marts.missing[name] = f"illisible ({type(exc).__name__}: {exc})"
    absent = [n for n in required if n in marts.missing]
    if absent:
        details = ", ".join(f"{n} ({marts.missing[n]})" for n in absent)
        raise MartsUnavailable(
            f"Marts indispensables aux portraits absents de {marts_dir}: {details}. "
            "Lancer d'abord `ti-pipeline run`."
        )
    return marts
