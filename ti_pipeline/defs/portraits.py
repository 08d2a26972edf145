"""The ``portraits`` Dagster asset: the HTML portraits, downstream of the marts they read.

A thin edge over ``ti_pipeline.portraits.build.build_portraits``: it reads the published marts in ``data/marts/`` and
publishes ``data/portraits/`` atomically. Its dependencies are the marts the portraits know how to
show that the SQL project defines (``dbt_like_sql/marts/<mart>.sql``), so a mart landing later
becomes an upstream of the portraits without touching this file.

When the published version of every mart read and the portraits' code are those of the last
build (recorded in ``data/.portraits.state.json``, ``portraits.state``), the pages are not rebuilt: the materialization
says so (``skipped``). Any new mart version or code change rebuilds them, and so does a run
tagged ``ti/force``.
"""

import dagster as dg

from ti_pipeline.config import PROJECT_ROOT, forced, get_paths
from ti_pipeline.portraits.build import build_portraits
from ti_pipeline.portraits.marts import PORTRAIT_MARTS
from ti_pipeline.portraits.pdf import pdf_demande
from ti_pipeline.portraits.state import build_inputs, default_out_dir, portraits_up_to_date, record_state, recorded_state

MARTS_SQL_DIR = PROJECT_ROOT / "dbt_like_sql" / "marts"


def upstream_marts(models_dir=MARTS_SQL_DIR) -> list[str]:
    """The portrait marts that have a SQL model (a dependency on an undefined asset would be an error)."""
    defined = {p.stem for p in models_dir.rglob("*.sql")} if models_dir.exists() else set()
    return [m for m in PORTRAIT_MARTS if m in defined]


@dg.asset(
    name="portraits",
    group_name="portraits",
    kinds={"html"},
    # the geometry marts are Python assets (defs.geo), not SQL models: named here
    deps=[dg.AssetKey(m) for m in upstream_marts()] + [dg.AssetKey("mart_ti_contours"), dg.AssetKey("mart_communes_contours")],
    description="One self-contained HTML page per territory and an index with search (data/portraits/), "
    "built only from the published Parquet marts; a banner marks pages built from the synthetic sample.",
)
def portraits(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    paths = get_paths()
    out = default_out_dir(paths.data_dir)
    pdf = pdf_demande()  # TI_PORTRAITS_PDF=1: print each portrait to PDF too (~1 s a portrait)
    inputs = build_inputs(paths.marts, pdf=pdf)
    state = recorded_state(paths)
    if not forced(context.run.tags) and portraits_up_to_date(paths, inputs):  # ti/force: rebuilt anyway
        return dg.MaterializeResult(
            metadata={
                "index": dg.MetadataValue.path(str(out / "index.html")),
                "version": dg.MetadataValue.path(state["version_dir"]),
                "skipped": True,
                "skipped_reason": "mart versions and portraits code unchanged since the last build",
            }
        )
    built = build_portraits(paths.marts, out, pdf=pdf)
    if built.pdf_message:
        context.log.warning(built.pdf_message)
    record_state(paths, inputs, built.version_dir)
    if built.marts_absents:
        context.log.info("Marts not published yet, their sections say so: " + ", ".join(sorted(built.marts_absents)))
    return dg.MaterializeResult(
        metadata={
            "index": dg.MetadataValue.path(str(built.index)),
            "version": dg.MetadataValue.path(str(built.version_dir)),
            "territoires": dg.MetadataValue.int(len(built.territoires)),
            "synthetic": dg.MetadataValue.bool(built.synthetic),
            "marts": dg.MetadataValue.json(built.marts),
            "marts_absents": dg.MetadataValue.json(built.marts_absents),
            "pdf": dg.MetadataValue.int(len(built.pdf.durees) if built.pdf else 0),
            "pdf_seconds_per_portrait": dg.MetadataValue.float(round(built.pdf.par_portrait, 2) if built.pdf else 0.0),
        }
    )

