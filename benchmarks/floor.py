"""The floor peer: the core aggregates in one DuckDB script (``floor.sql``) straight from the files.

    python -m benchmarks.floor --sample-dir benchmarks/data/scale-1.0 --out /tmp/floor.parquet

The only Python work is what DuckDB cannot do by itself: taking the CSV members out of their zip
archives and the passage table out of its xlsx workbook (DuckDB 2.0 reads neither without an
extension that this machine cannot download), with the fastest xlsx reader installed (calamine,
as the pipeline's reader). Everything else — parsing, moving codes onto the
target COG, joins, sums — is the SQL script, in one in-memory connection on all cores.
"""

from __future__ import annotations

import csv
import re
import tempfile
from pathlib import Path

import duckdb

from benchmarks import aggregates
from benchmarks.inputs import cog_year, extract, millesime, newest_file
from ti_pipeline.config import get_industry_scope
from ti_pipeline.sources.catalog import TARGET_COG_YEAR, get_source

SQL_FILE = Path(__file__).with_name("floor.sql")


def _sheet_rows(workbook: Path, sheet: str):
    """The rows of a sheet, with the fastest reader installed (calamine, else openpyxl)."""
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:
        import openpyxl

        wb = openpyxl.load_workbook(workbook, read_only=True, data_only=True)
        yield from wb[sheet].iter_rows(values_only=True)
        wb.close()
        return
    for row in CalamineWorkbook.from_path(str(workbook)).get_sheet_by_name(sheet).to_python(skip_empty_area=False):
        yield [None if v == "" else v for v in row]


def passage_to_csv(sample_dir: Path, tmp: Path, years: list[int]) -> Path:
    """The passage table's CODGEO columns of ``years`` and of the target COG, as a CSV."""
    workbook = extract(sample_dir, "cog_passage", tmp)
    source = get_source("cog_passage")
    wanted = sorted(set(years) | {TARGET_COG_YEAR})
    out = tmp / "passage.csv"
    rows = _sheet_rows(workbook, source.releases[0].sheet)
    for _ in range(source.skiprows):
        next(rows)
    header = [str(h) if h is not None else "" for h in next(rows)]
    idx = [header.index(f"CODGEO_{y}") for y in wanted]
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow([header[i] for i in idx])
        for row in rows:
            w.writerow(["" if row[i] is None else str(row[i]) for i in idx])
    return out


def industry() -> tuple[str, str]:
    """The NAF sections (Flores A38 codes start with them) and the NAF division range of industry."""
    if get_industry_scope() == "C":
        return "('C')", "10 and 33"
    return "('B', 'C', 'D', 'E')", "5 and 39"


def floor_sql(sample_dir: Path, tmp: Path) -> str:
    def moved_year(source: str) -> int:
        return min(cog_year(source), TARGET_COG_YEAR)

    years = sorted({moved_year(s) for s in ("ti_communes", "rp_population", "rp_emploi", "flores_a38", "urssaf_ape", "sirene_etablissements")})
    passage_csv = passage_to_csv(sample_dir, tmp, years)
    union = "\n    union all\n    ".join(
        f"select {y} as annee_cog, CODGEO_{y} as code_source, CODGEO_{TARGET_COG_YEAR} as code_commune from passage" for y in years
    )
    sections, divisions = industry()
    if cog_year("rp_population") != cog_year("rp_emploi"):
        raise ValueError("the floor assumes both census bases of a vintage share their COG year")
    return SQL_FILE.read_text().format(
        passage_csv=passage_csv,
        passage_union=union,
        passage_years=str(years),
        cog_csv=extract(sample_dir, "cog_communes", tmp),
        communes_json=newest_file(sample_dir, "communes_siren")[0],
        ti_csv=newest_file(sample_dir, "ti_communes")[0],
        ti_territoires_csv=newest_file(sample_dir, "ti_territoires")[0],
        ti_cog=moved_year("ti_communes"),
        rp_population_csv=extract(sample_dir, "rp_population", tmp),
        rp_emploi_csv=extract(sample_dir, "rp_emploi", tmp),
        rp_yy=f"{millesime('rp_population') % 100:02d}",
        rp_cog=moved_year("rp_population"),
        flores_csv=extract(sample_dir, "flores_a38", tmp),
        flores_year=millesime("flores_a38"),
        flores_cog=moved_year("flores_a38"),
        urssaf_csv=newest_file(sample_dir, "urssaf_ape")[0],
        urssaf_year=millesime("urssaf_ape"),
        urssaf_cog=moved_year("urssaf_ape"),
        industry_sections=sections,
        industry_divisions=divisions,
        relance_csv=newest_file(sample_dir, "relance_laureats")[0],
        sirene_parquet=newest_file(sample_dir, "sirene_etablissements")[0],
        sirene_cog=moved_year("sirene_etablissements"),
    )


def compute(sample_dir: Path):
    """The core aggregates (``aggregates.COLUMNS``) as a pandas DataFrame."""
    with tempfile.TemporaryDirectory(prefix="ti-floor-") as tmp:
        sql = floor_sql(Path(sample_dir), Path(tmp))
        con = duckdb.connect(":memory:")
        # statements end with ';' at the end of a line (' ; ' inside literals is data)
        *setup, final = [s for s in re.split(r";[ \t]*\n", sql) if s.strip()]
        for statement in setup:
            con.execute(statement)
        frame = con.sql(final).df()
        con.close()
    return aggregates.normalise(frame)


def main(argv: list[str] | None = None) -> int:
    return aggregates.peer_main(compute, "floor", __doc__.split("\n\n")[0], argv)


if __name__ == "__main__":
    raise SystemExit(main())
