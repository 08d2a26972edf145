"""What changed between two releases: what an analyst reads before trusting a new month.

``diff_releases(old, new)`` compares two release folders from their manifests and files: rows per
mart (and whether its schema changed), the sources whose file or vintage changed, and the indicator
values that moved most (``mart_ti_indicateurs``, matched on territory, indicator and year).
``format_diff`` prints it as plain text.

Not here: finding releases (``store``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ti_pipeline.releases import store
from ti_pipeline.sql_runner.relations import mart_read_sql

INDICATORS_MART = "mart_ti_indicateurs"
INDICATOR_KEY = ("id_ti", "code_indicateur", "annee")
TOLERANCE = 1e-9  # relative: below it two values are the same


@dataclass
class ReleaseDiff:
    old: str
    new: str
    marts: list[dict] = field(default_factory=list)  # name, rows_old, rows_new, schema_changed
    sources: list[dict] = field(default_factory=list)  # source, millesime, change
    moved: list[dict] = field(default_factory=list)  # id_ti, code_indicateur, annee, old, new, change


def _sources(manifest: dict) -> dict[tuple, dict]:
    return {(s.get("ti:source"), s.get("ti:millesime")): s for s in manifest.get("sources", [])}


def _marts(manifest: dict) -> dict[str, dict]:
    return {r["name"]: r for r in manifest.get("resources", [])}


def moved_indicators(old: Path, new: Path, limit: int = 10) -> list[dict]:
    """The indicator values that moved most between two releases (relative change, then absolute)."""
    a, b = old / "marts" / INDICATORS_MART, new / "marts" / INDICATORS_MART
    if not (a.is_dir() and b.is_dir()):
        return []
    key = ", ".join(INDICATOR_KEY)
    on = " and ".join(f"o.{k} is not distinct from n.{k}" for k in INDICATOR_KEY)
    sql = f"""
        with o as ({mart_read_sql(a)}), n as ({mart_read_sql(b)})
        select {', '.join('coalesce(n.' + k + ', o.' + k + ') as ' + k for k in INDICATOR_KEY)},
               o.valeur as avant, n.valeur as apres,
               case when o.valeur is null or n.valeur is null then null
                    when o.valeur = 0 then null
                    else (n.valeur - o.valeur) / abs(o.valeur) end as variation
        from o full join n on {on}
        -- parallel sums differ in their last bits from one build to the next: not a change
        where (o.valeur is null) <> (n.valeur is null)
           or abs(n.valeur - o.valeur) > {TOLERANCE} * greatest(abs(o.valeur), abs(n.valeur))
        order by variation is null, abs(variation) desc, abs(coalesce(n.valeur, 0) - coalesce(o.valeur, 0)) desc, {key}
        limit {int(limit)}"""
    with duckdb.connect() as con:
        rel = con.sql(sql)
        return [dict(zip(rel.columns, row)) for row in rel.fetchall()]


def diff_releases(old: Path, new: Path, limit: int = 10) -> ReleaseDiff:
    mo, mn = store.read_manifest(old), store.read_manifest(new)
    out = ReleaseDiff(old=old.name, new=new.name)
    ro, rn = _marts(mo), _marts(mn)
    for name in sorted(set(ro) | set(rn)):
        o, n = ro.get(name), rn.get(name)
        out.marts.append({
            "mart": name,
            "rows_old": o.get("ti:row_count") if o else None,
            "rows_new": n.get("ti:row_count") if n else None,
            "schema_changed": bool(o and n and o.get("ti:schema_hash") != n.get("ti:schema_hash")),
            "rebuilt": bool(o and n and o.get("ti:build") != n.get("ti:build")),
        })
    so, sn = _sources(mo), _sources(mn)
    for key in sorted(set(so) | set(sn), key=lambda k: (str(k[0]), -int(k[1] or 0))):
        o, n = so.get(key), sn.get(key)
        if o and n and o.get("ti:sha256") == n.get("ti:sha256"):
            continue
        change = "added" if o is None else "removed" if n is None else "new file"
        out.sources.append({"source": key[0], "millesime": key[1], "change": change,
                            "sha256_old": (o or {}).get("ti:sha256"), "sha256_new": (n or {}).get("ti:sha256")})
    out.moved = moved_indicators(old, new, limit)
    return out


def _num(v) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:,.4g}"
    return f"{v:,}" if isinstance(v, int) else str(v)


def format_diff(d: ReleaseDiff) -> str:
    lines = [f"Release {d.old} -> {d.new}", "", "Marts (rows before -> after):"]
    for m in d.marts:
        delta = ""
        if m["rows_old"] is not None and m["rows_new"] is not None:
            delta = f" ({m['rows_new'] - m['rows_old']:+,})"
        flags = ", ".join(f for f, on in (("schema changed", m["schema_changed"]), ("rebuilt", m["rebuilt"])) if on)
        lines.append(f"  {m['mart']:<24} {_num(m['rows_old']):>10} -> {_num(m['rows_new']):<10}{delta}"
                     + (f"  [{flags}]" if flags else ""))
    lines += ["", "Sources updated:" if d.sources else "Sources updated: none"]
    lines += [f"  {s['source']} {s['millesime']}: {s['change']}" for s in d.sources]
    lines += ["", "Indicator values that moved most:" if d.moved else "Indicator values that moved most: none"]
    for m in d.moved:
        pct = f"{m['variation'] * 100:+.1f} %" if m.get("variation") is not None else "new/removed"
        lines.append(f"  {m['id_ti']} {m['code_indicateur']} {m['annee']}: {_num(m['avant'])} -> {_num(m['apres'])} ({pct})")
    return "\n".join(lines)


__all__ = ["ReleaseDiff", "diff_releases", "format_diff", "moved_indicators"]
