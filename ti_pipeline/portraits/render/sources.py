"""The sources section at the bottom of a portrait: definitions and precautions of every indicator,
the source files upstream of the marts (their provenance metadata) and the mart versions read.
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
from ti_pipeline.portraits.render.page import (
    SECTIONS,
    e,
    non_disponible,
)

def lien_url(url: str | None) -> str:
    if not url:
        return NA
    if url.startswith(("http://", "https://")):
        return f'<a href="{escape(url, quote=True)}">{e(url)}</a>'
    return f"<code>{e(url)}</code>"


def section_sources(marts: Marts, lignes: list[c.LigneIndicateur]) -> str:
    out = [f'<section id="sources" aria-labelledby="sources-titre"><h2 id="sources-titre">{e(SECTIONS[6][1])}</h2>']
    out.append(
        '<p class="note">Chaque chiffre de cette page vient des marts Parquet publiés par ti-pipeline ; '
        "sa source et son millésime sont rappelés à côté de lui. Ci-dessous, les fichiers sources en amont des marts, "
        "tels qu'enregistrés dans leurs métadonnées (provenance).</p>"
    )
    items = []
    for l in lignes:
        details = [
            l.definition,
            f"Formule : {l.formule}" if l.formule else None,
            f"Unité : {l.unite}" if l.unite else None,
            f"Source : {l.source}" if l.source else None,
        ]
        precaution = f'<br><span class="qualite">Précaution : {e(l.precautions)}</span>' if l.precautions else ""
        items.append(f'<dt>{e(l.libelle)} <code>{e(l.code)}</code></dt><dd>{e(" — ".join(d for d in details if d))}{precaution}</dd>')
    out.append(
        '<h3 id="definitions">Définitions et précautions</h3>'
        f'<dl class="definitions">{"".join(items)}</dl>'
    )
    rows = []
    for p in marts.provenance():
        fichier = " — ".join(x for x in (p.get("publisher"), p.get("file_name")) if x)
        synthetique = " · <strong>synthétique</strong>" if p.get("synthetic") else ""
        rows.append(
            f'<tr><th scope="row">{e(fichier or p.get("source"))} <span class="note">(<code>{e(p.get("source"))}</code>)</span>'
            f'<span class="definition">{lien_url(p.get("url"))} · sha256 <code>{e((p.get("sha256") or NA)[:12])}</code>{synthetique}</span></th>'
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
