"""The sources section at the bottom of a portrait: the source files upstream of the marts (their
provenance metadata, with public addresses only) and the mart versions read. The definitions of the
indicators are on the glossary page (``glossary``), linked from here and from each figure.
"""

from __future__ import annotations

from html import escape

from ti_pipeline.portraits import content as c
from ti_pipeline.portraits.formats import (
    NA,
    format_date_courte,
    format_date_heure,
)
from ti_pipeline.portraits.marts import Marts
from ti_pipeline.portraits.render.glossary import FICHIER_GLOSSAIRE
from ti_pipeline.sources.catalog import get_source
from ti_pipeline.portraits.render.page import (
    SECTIONS,
    e,
    non_disponible,
)

def lien_glossaire() -> str:
    return f'<a href="{FICHIER_GLOSSAIRE}">glossaire des indicateurs</a>'


def est_publique(url: str | None) -> bool:
    return bool(url) and str(url).startswith(("http://", "https://"))


def url_publique(entree: dict) -> tuple[str | None, bool]:
    """The public address of a source file: the URL it was downloaded from, or, when it was read
    from disk (the sample, a configured local file: a ``file://`` path of the machine that ran the
    pipeline, which a reader of the page cannot open and should not see), the address the catalog
    declares for that release (its file, else its dataset page). The flag says it was substituted."""
    url = entree.get("url")
    if est_publique(url):
        return str(url), False
    try:
        source = get_source(str(entree.get("source") or ""))
    except KeyError:
        return None, True
    try:
        release = source.release(int(entree.get("millesime")))
    except (KeyError, TypeError, ValueError):
        release = None
    return (release.url if release is not None and est_publique(release.url) else source.page), True


def lien_url(url: str | None) -> str:
    """A link to a public address; anything else is not shown (never a local path)."""
    if not est_publique(url):
        return NA
    return f'<a href="{escape(url, quote=True)}">{e(url)}</a>'


def section_sources(marts: Marts, lignes: list[c.LigneIndicateur]) -> str:
    out = [f'<section id="sources" aria-labelledby="sources-titre"><h2 id="sources-titre">{e(SECTIONS[6][1])}</h2>']
    out.append(
        '<p class="note">Chaque chiffre de cette page vient des marts Parquet publiés par ti-pipeline ; '
        "sa source et son millésime sont rappelés à côté de lui. Ci-dessous, les fichiers sources en amont des marts, "
        "tels qu'enregistrés dans leurs métadonnées (provenance).</p>"
    )
    out.append(
        f'<p class="note">Définitions, formules et précautions de chaque indicateur : {lien_glossaire()}.</p>'
    )
    rows = []
    for p in marts.provenance():
        fichier = " — ".join(x for x in (p.get("publisher"), p.get("file_name")) if x)
        synthetique = " · <strong>synthétique</strong>" if p.get("synthetic") else ""
        url, substituee = url_publique(p)
        if substituee:
            synthetique += " · lu depuis une copie locale (adresse publique de la source)"
        rows.append(
            f'<tr><th scope="row">{e(fichier or p.get("source"))} <span class="note">(<code>{e(p.get("source"))}</code>)</span>'
            f'<span class="definition">{lien_url(url)} · sha256 <code>{e((p.get("sha256") or NA)[:12])}</code>{synthetique}</span></th>'
            f'<td class="nombre">{e(p.get("millesime") or NA)}</td><td class="nombre">{e(p.get("cog_year") or NA)}</td>'
            f"<td>{e(format_date_courte(p.get('retrieved_at')))}</td><td>{e(p.get('licence') or NA)}</td></tr>"
        )
    out.append("<h3>Fichiers sources</h3>")
    if rows:
        out.append(
            '<div class="defilement" tabindex="0" role="region" aria-label="Fichiers sources"><table id="tableau-sources">'
            "<caption>Fichiers sources et millésimes</caption><thead><tr>"
            '<th scope="col">Fichier source</th><th scope="col" class="nombre">Millésime</th><th scope="col" class="nombre">COG</th>'
            f'<th scope="col">Obtenu le</th><th scope="col">Licence</th></tr></thead><tbody>{"".join(rows)}</tbody></table></div>'
        )
    else:
        out.append(non_disponible("les marts ne portent pas de métadonnées de provenance"))

    mart_rows = []
    for name, mart in sorted(marts.marts.items()):
        mart_rows.append(
            f'<tr><th scope="row"><code>{e(name)}</code></th><td><code>{e(mart.version)}</code></td>'
            f"<td>{e(format_date_heure(mart.metadata.get('generated_at')))}</td><td>{'oui' if mart.synthetic else 'non'}</td></tr>"
        )
    for name, raison in sorted(marts.missing.items()):
        mart_rows.append(f'<tr><th scope="row"><code>{e(name)}</code></th><td colspan="3">{e(raison)}</td></tr>')
    out.append(
        "<h3>Marts lus</h3>"
        '<div class="defilement"><table><caption>Versions des marts lues pour ces pages</caption><thead><tr>'
        '<th scope="col">Mart</th><th scope="col">Version</th><th scope="col">Généré le</th><th scope="col">Synthétique</th>'
        f'</tr></thead><tbody>{"".join(mart_rows)}</tbody></table></div>'
    )
    return "".join(out) + "</section>"
