"""The ``portraits`` Dagster asset: the HTML portraits, built from the marts the next release will hold.

A thin edge over ``ti_pipeline.releases.assemble.build_release_portraits``: it takes the latest
audited build of every mart — only when all of them are up to date with the lake — renders the
pages into ``builds/portraits/<build>/``, and
the ``release`` asset then publishes them with those marts. Its dependencies are the marts the
portraits know how to show that the SQL project defines (``dbt_like_sql/marts/<mart>.sql``), so a
mart landing later becomes an upstream of the portraits without touching this file.

When the marts and the portraits' code are those of the last build (``portraits.state``), the pages
are not rebuilt: the materialization says so (``skipped``). A run tagged ``ti/force`` rebuilds them.
"""

import dagster as dg

from ti_pipeline.config import PROJECT_ROOT, forced, get_paths
from ti_pipeline.geo.marts import GEO_MARTS
from ti_pipeline.portraits.marts import PORTRAIT_MARTS
from ti_pipeline.portraits.pdf import pdf_demande
from ti_pipeline.releases.assemble import ReleaseRefused, build_release_portraits
from ti_pipeline.sql_runner.project import SqlProject

MARTS_SQL_DIR = PROJECT_ROOT / "dbt_like_sql" / "marts"


def upstream_marts(models_dir=MARTS_SQL_DIR) -> list[str]:
    """The portrait marts that have a SQL model (a dependency on an undefined asset would be an error)."""
    defined = {p.stem for p in models_dir.rglob("*.sql")} if models_dir.exists() else set()
    return [m for m in PORTRAIT_MARTS if m in defined]


def build_portraits_asset(project: SqlProject, *, pool: str | None = None) -> dg.AssetsDefinition:
    @dg.asset(
        name="portraits",
        group_name="portraits",
        kinds={"html"},
        # the geometry marts are Python assets (defs.geo), not SQL models: named here
        deps=[dg.AssetKey(m) for m in upstream_marts()] + [dg.AssetKey(m) for m in GEO_MARTS],
        pool=pool,
        description="One self-contained HTML page per territory and an index with search, built only from "
        "the Parquet marts of the next release (published with them in data/portraits); a banner marks pages "
        "built from the synthetic sample.",
    )
    def portraits(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        try:
            # TI_PORTRAITS_PDF=1: print each portrait to PDF too (~1.7 s a portrait); ti/force: rebuilt
            outcome = build_release_portraits(project, get_paths(), force=forced(context.run.tags), pdf=pdf_demande())
        except ReleaseRefused as exc:
            raise dg.Failure(description=f"The portraits are built only from marts all up to date with the lake. {exc}",
                             allow_retries=False) from None
        if outcome.kept:
            return dg.MaterializeResult(
                metadata={
                    "build": dg.MetadataValue.path(str(outcome.build)),
                    "skipped": True,
                    "skipped_reason": "marts and portraits code unchanged since the last build",
                }
            )
        built = outcome.details
        if built.pdf_message:
            context.log.warning(built.pdf_message)
        if built.marts_absents:
            context.log.info("Marts not built, their sections say so: " + ", ".join(sorted(built.marts_absents)))
        return dg.MaterializeResult(
            metadata={
                "build": dg.MetadataValue.path(str(built.version_dir)),
                "territoires": dg.MetadataValue.int(len(built.territoires)),
                "synthetic": dg.MetadataValue.bool(built.synthetic),
                "marts": dg.MetadataValue.json(built.marts),
                "marts_absents": dg.MetadataValue.json(built.marts_absents),
                "pdf": dg.MetadataValue.int(len(built.pdf.durees) if built.pdf else 0),
                "pdf_seconds_per_portrait": dg.MetadataValue.float(round(built.pdf.par_portrait, 2) if built.pdf else 0.0),
            }
        )

    return portraits
