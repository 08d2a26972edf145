"""The frame every page of the portraits shares, and the small pieces the sections are built from.

What belongs here: the HTML template, the CSS, the synthetic-data banner, the footer, the section
titles, what one build's pages share (``Contexte``), escaping (``e``, ``ea``) and the building blocks
several sections use (a value in its unit, a "not available" note, a chart with its source, the
data table that doubles a chart). What does not: the content of a section (``identity``,
``indicators``, ``industry``, ``laureates``, ``sources``), the pages themselves (``pages``).

Pages embed their CSS; no external resource at all, so a page opens offline, from a file or a zip.
Accessibility: ``lang="fr"``, one ``h1`` then ``h2``/``h3`` in order, a skip link, table captions and
header cells with ``scope``, colours with at least 4.5:1 contrast. Every dynamic text goes through
``html.escape``.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from string import Template

from ti_pipeline.portraits import content as c
from ti_pipeline.portraits.formats import (
    format_date_heure,
    format_valeur,
)
from ti_pipeline.portraits.marts import Marts

PAGE = Template(
    """<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="ti-pipeline portraits">
<link rel="icon" href="data:,">
<title>$titre</title>
<style>$css</style>
</head>
<body>
<a class="evitement" href="#contenu">Aller au contenu</a>
$bandeau<header class="entete"><div class="page">$entete</div></header>
<main id="contenu" class="page">
$contenu
</main>
<footer class="pied"><div class="page">$pied</div></footer>
$script</body>
</html>
"""
)

CSS = """
:root{--bleu:#000091;--texte:#1e1e1e;--gris:#555;--fond:#f3f3f8;--bord:#d8d8e0}
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Liberation Sans","DejaVu Sans",Arial,sans-serif;color:var(--texte);line-height:1.5;background:#fff}
.page{max-width:70rem;margin:0 auto;padding:0 1.25rem}
a{color:var(--bleu)}
a:focus,summary:focus,input:focus{outline:3px solid #ff9f00;outline-offset:2px}
.evitement{position:absolute;left:-9999px}
.evitement:focus{left:1rem;top:1rem;background:#fff;padding:.5rem 1rem;z-index:10}
.bandeau-synthetique{background:#fff1c2;border-bottom:3px solid #a94400;color:#3d2600;padding:.7rem 1.25rem;text-align:center}
.entete{background:var(--bleu);color:#fff;padding:1.1rem 0 1.3rem}
.entete a{color:#fff}
.surtitre{margin:0;font-size:.95rem;letter-spacing:.02em}
h1{font-size:2.1rem;line-height:1.2;margin:.3rem 0 .4rem}
.sous-titre{margin:0;font-size:1.05rem}
h2{font-size:1.45rem;color:var(--bleu);border-bottom:2px solid var(--bleu);padding-bottom:.2rem;margin:2.4rem 0 .9rem}
h3{font-size:1.15rem;margin:1.6rem 0 .5rem}
h4{font-size:1rem;margin:1.2rem 0 .3rem}
.sommaire{margin:1rem 0 0;padding:.6rem 0 0;border-top:1px solid rgba(255,255,255,.4);font-size:.95rem}
.sommaire ul{margin:0;padding:0;list-style:none;display:flex;flex-wrap:wrap;gap:.3rem 1.3rem}
.chiffres-cles{display:grid;grid-template-columns:repeat(auto-fit,minmax(9.5rem,1fr));gap:.8rem;margin:1.4rem 0 0;padding:0;list-style:none}
.chiffre{border:1px solid var(--bord);border-top:4px solid var(--bleu);padding:.6rem .8rem;background:#fff}
.chiffre .libelle{font-size:.9rem;margin:0}
.chiffre .valeur{font-size:1.55rem;font-weight:700;color:var(--bleu);margin:.1rem 0;white-space:nowrap}
.chiffre .comparaison{font-size:.85rem;color:var(--gris);margin:0}
dl.identite{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1.2rem;margin:0}
dl.identite dt{font-weight:700}
dl.identite dd{margin:0}
dl.definitions dt{font-weight:700;margin-top:.6rem}
dl.definitions dd{margin:0;font-size:.92rem}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums;font-size:.95rem}
caption{text-align:left;font-weight:700;padding:.3rem 0 .5rem}
th,td{padding:.4rem .55rem;border-bottom:1px solid var(--bord);text-align:left;vertical-align:top}
thead th{background:var(--fond);border-bottom:2px solid #8a8aa0;vertical-align:bottom}
.nombre{text-align:right;white-space:nowrap}
td.territoire{font-weight:700;color:var(--bleu)}
#tableau-sources th[scope=row]{width:60%}
#tableau-indicateurs th[scope=row]{min-width:12rem;width:30%}
thead th.nombre{white-space:normal;overflow-wrap:anywhere;hyphens:auto}
thead th .note{display:block;font-weight:400;font-size:.8rem}
tbody th[scope=rowgroup]{background:#fff;color:var(--gris);font-size:.85rem;font-weight:700;padding-top:1rem;text-transform:uppercase;letter-spacing:.03em}
.definition,.qualite{display:block;font-weight:400;font-size:.82rem;color:var(--gris)}
.qualite{color:#8a3500}
.defilement{overflow-x:auto}
.note{color:var(--gris);font-size:.92rem}
.non-disponible{background:var(--fond);border-left:4px solid #8a8aa0;padding:.6rem .9rem;margin:.6rem 0}
figure{margin:.6rem 0 1rem}
figcaption{font-size:.88rem;color:var(--gris);margin-top:.3rem}
.graphique{display:block;max-width:46rem;height:auto}
details{margin:.4rem 0 1rem}
summary{cursor:pointer;color:var(--bleu)}
.pastille{display:inline-block;width:.8em;height:.8em;border-radius:2px;margin-right:.35em;vertical-align:-.05em}
.recherche label{display:block;font-weight:700;margin:1.5rem 0 .3rem}
.recherche input{width:100%;max-width:34rem;font:inherit;padding:.5rem .7rem;border:2px solid #5c5c70;border-radius:4px}
.pied{margin-top:3rem;padding:1.2rem 0 2rem;background:var(--fond);font-size:.9rem;color:#333}
code{font-size:.88em;overflow-wrap:anywhere}
.carte{display:block;max-width:46rem;height:auto}
.carte-index a path.territoire{fill:#000091;stroke:#fff;stroke-width:.6}
.carte-index a:hover path.territoire,.carte-index a:focus path.territoire{fill:#a94400}
.carte-index a:focus{outline:none}
.carte-index a:focus path.territoire{stroke:#161616;stroke-width:2}
.legende{list-style:none;margin:.2rem 0 .4rem;padding:0;display:flex;flex-wrap:wrap;gap:.2rem 1rem}
@page{size:A4;margin:12mm 11mm}
.lien-pdf{margin:.6rem 0 0;font-size:.95rem}
@media print{.evitement,.sommaire,.recherche,.lien-pdf{display:none}.page{max-width:none;padding:0}.carte{max-width:34rem}.entete{background:#fff;color:var(--texte)}.entete a{color:var(--texte)}h2{break-after:avoid}figure,table{break-inside:avoid}}
""".strip()

# What is real in the embedded sample and what is invented (data/sample/README.md).
BANDEAU_SYNTHETIQUE = (
    '<div class="bandeau-synthetique" role="note"><strong>Données synthétiques.</strong> '
    "Ces pages sont construites à partir de l'échantillon de démonstration du projet. "
    "<strong>Réels :</strong> les communes, leurs codes, noms, populations légales et EPCI (Code officiel "
    "géographique 2025, découpage administratif d'Etalab) et leurs contours. <strong>Inventés :</strong> le périmètre des "
    "territoires, les lauréats et tous les chiffres statistiques (recensement, Flores, Urssaf, Sirene), "
    "qui ne décrivent aucun territoire réel.</div>\n"
)

# Quality flags of mart_ti_indicateurs, as a note next to the figure (indicators, sizes).
QUALITES = {
    "secret": "secret statistique : des cellules Flores non publiées manquent, valeur sous-estimée",
    "partiel": "partiel : des communes du territoire n'ont pas de donnée",
}

SECTIONS = (
    ("identite", "Identité du territoire"),
    ("indicateurs", "Indicateurs clés et comparaisons"),
    ("secteurs", "Secteurs industriels"),
    ("tailles", "Taille des établissements industriels"),
    ("emploi", "Emploi salarié industriel privé depuis 2006"),
    ("laureats", "Lauréats France Relance"),
    ("sources", "Sources et millésimes"),
)


def e(x) -> str:
    """Text content: ``<``, ``>`` and ``&`` escaped (quotes stay readable)."""
    return escape("" if x is None else str(x), quote=False)


def ea(x) -> str:
    """An attribute value between double quotes: quotes escaped too."""
    return escape("" if x is None else str(x), quote=True)


@dataclass(frozen=True)
class Contexte:
    """What every page of one build shares: synthetic flag, generation stamp, code version."""

    synthetic: bool
    genere_le: str | None
    code_version: str | None
    marts_generes_le: str | None
    pdf: bool = False  # each portrait is also printed to <id>.pdf: its page links to it


def contexte(marts: Marts, genere_le: str | None, pdf: bool = False) -> Contexte:
    meta = marts.get("mart_ti_indicateurs").metadata
    cv = meta.get("code_version")
    if isinstance(cv, dict):
        commit = (cv.get("git_commit") or "")[:10]
        cv = f"ti_pipeline {cv.get('ti_pipeline', '?')}" + (f", commit {commit}" if commit else "")
    return Contexte(
        synthetic=marts.synthetic,
        genere_le=genere_le,
        code_version=str(cv) if cv else None,
        marts_generes_le=meta.get("generated_at"),
        pdf=pdf,
    )


def page_html(titre: str, entete: str, contenu: str, pied: str, ctx: Contexte, script: str = "") -> str:
    return PAGE.substitute(
        titre=e(("[Données synthétiques] " if ctx.synthetic else "") + titre),
        css=CSS,
        bandeau=BANDEAU_SYNTHETIQUE if ctx.synthetic else "",
        entete=entete,
        contenu=contenu,
        pied=pied,
        script=script,
    )


def pied_de_page(ctx: Contexte) -> str:
    parts = ["Page générée"]
    if ctx.genere_le:
        parts.append(f" le {e(format_date_heure(ctx.genere_le))}")
    parts.append(" par <strong>ti-pipeline</strong>")
    if ctx.code_version:
        parts.append(f" ({e(ctx.code_version)})")
    parts.append(" à partir des seuls marts Parquet publiés")
    if ctx.marts_generes_le:
        parts.append(f" (générés le {e(format_date_heure(ctx.marts_generes_le))})")
    parts.append(". Programme Territoires d'industrie : ANCT et DGE.")
    if ctx.synthetic:
        parts.append(" <strong>Données synthétiques : géographie réelle, périmètres et chiffres inventés ; aucun chiffre "
                     "ne décrit un territoire réel.</strong>")
    return "<p>" + "".join(parts) + "</p>"


def valeur_ligne(l: c.LigneIndicateur, zone: str) -> str:
    return format_valeur(l.valeurs.get(zone), l.unite, l.signe, l.decimales)


def non_disponible(texte: str) -> str:
    return f'<p class="non-disponible"><strong>Non disponible</strong> : {e(texte)}.</p>'


def source_texte(source: str | None, millesime: int | None, annee: int | None = None) -> str:
    s = source or "source non renseignée"
    if millesime is not None:
        s += f", millésime {millesime}"
    if annee is not None and annee != millesime:
        s += f" (données {annee})"
    return s


def figure(svg_markup: str, source: str, definitions: str = "") -> str:
    """A chart with its source; ``definitions``: links (already markup) to the glossary entries of
    what it shows."""
    suite = f" Définitions : {definitions}." if definitions else ""
    return f"<figure>{svg_markup}<figcaption>Source : {e(source)}.{suite}</figcaption></figure>"


def tableau_donnees(caption: str, entetes: list[tuple[str, bool]], lignes: list[list[str]], ouvert: bool = False) -> str:
    """A data table in a ``<details>`` (the accessible twin of a chart). Cells are already escaped."""
    head = "".join(f'<th scope="col"{" class=nombre" if num else ""}>{e(h)}</th>' for h, num in entetes)
    body = []
    for ligne in lignes:
        cells = [f'<th scope="row">{ligne[0]}</th>']
        cells += [f'<td{" class=nombre" if entetes[i + 1][1] else ""}>{v}</td>' for i, v in enumerate(ligne[1:])]
        body.append("<tr>" + "".join(cells) + "</tr>")
    table = (
        f'<div class="defilement" tabindex="0" role="region" aria-label="{ea(caption)}"><table><caption>{e(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )
    return f"<details{' open' if ouvert else ''}><summary>Données du graphique</summary>{table}</details>"
