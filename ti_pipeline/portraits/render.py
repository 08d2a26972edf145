"""HTML of the portraits: one page per territory and the index page, self-contained and in French.

Pages embed their CSS (and, for the index, a few lines of JavaScript for the search); charts are
inline SVG from ``svg.py``. No external resource at all, so a page opens offline, from a file or a
zip. Accessibility: ``lang="fr"``, one ``h1`` then ``h2``/``h3`` in order, a skip link, table
captions and header cells with ``scope``, charts labelled by ``<title>``/``<desc>`` and doubled by a
table, colours with at least 4.5:1 contrast.

Every dynamic text goes through ``html.escape``. Data selection lives in ``content.py``; this module
only decides how things look.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from html import escape
from string import Template

from ti_pipeline.portraits import content as c
from ti_pipeline.portraits import svg
from ti_pipeline.portraits.formats import (
    NA,
    format_date_courte,
    format_date_heure,
    format_euros,
    format_indice,
    format_nombre,
    format_part,
    format_valeur,
    pluriel,
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
#tableau-indicateurs th[scope=row]{min-width:15rem;width:32%}
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
@media print{.evitement,.sommaire,.recherche{display:none}.entete{background:#fff;color:var(--texte)}.entete a{color:var(--texte)}h2{break-after:avoid}figure,table{break-inside:avoid}}
""".strip()

# The index's search: accent- and case-insensitive, every word must match (name, region,
# département, commune). Written for old browsers too, and silent: no console output.
SCRIPT_RECHERCHE = """<script>
(function () {
  var champ = document.getElementById("recherche");
  var lignes = Array.prototype.slice.call(document.querySelectorAll("#territoires tbody tr"));
  var compte = document.getElementById("nb-resultats");
  function normaliser(s) {
    return s.normalize("NFD").replace(/[\\u0300-\\u036f]/g, "").toLowerCase();
  }
  function filtrer() {
    var mots = normaliser(champ.value).split(/[\\s,;]+/).filter(Boolean);
    var n = 0;
    lignes.forEach(function (ligne) {
      var texte = ligne.getAttribute("data-recherche");
      var visible = mots.every(function (m) { return texte.indexOf(m) !== -1; });
      ligne.hidden = !visible;
      if (visible) { n += 1; }
    });
    compte.textContent = n + (n > 1 ? " territoires affichés" : " territoire affiché") + " sur " + lignes.length;
  }
  champ.addEventListener("input", filtrer);
  filtrer();
})();
</script>
"""

BANDEAU_SYNTHETIQUE = (
    '<div class="bandeau-synthetique" role="note"><strong>Données synthétiques.</strong> '
    "Ces pages sont construites à partir de l'échantillon de démonstration du projet : noms et chiffres "
    "sont inventés et ne décrivent aucun territoire réel.</div>\n"
)

NOTE_CARTE = (
    "Pas de carte : les contours des communes ne font pas partie des marts publiés, et ces pages ne "
    "lisent que les marts. La liste des communes ci-dessus en tient lieu."
)

QUALITES = {
    "secret": "secret statistique : des cellules Flores non publiées manquent, valeur sous-estimée",
    "partiel": "partiel : des communes du territoire n'ont pas de donnée",
}

# The cards at the top of a portrait: what a reader looks for first, when the marts have it.
CHIFFRES_CLES = (
    "population",
    "emplois_lt",
    "part_emploi_industriel",
    "postes_salaries_industrie",
    "evol_emploi_ind_prive_10a",
    "nb_laureats_relance",
)

SECTIONS = (
    ("identite", "Identité du territoire"),
    ("indicateurs", "Indicateurs clés et comparaisons"),
    ("secteurs", "Secteurs industriels"),
    ("tailles", "Taille des établissements industriels"),
    ("emploi", "Emploi salarié industriel privé depuis 2006"),
    ("laureats", "Lauréats France Relance"),
    ("sources", "Sources et millésimes"),
)

# Size bands from small to large, light to dark (fill, text on it): contrast >= 4.5:1 both ways.
COULEURS_TAILLES = (("#c9cbf2", "#1e1e1e"), ("#5d5fc9", "#ffffff"), ("#000091", "#ffffff"))


def e(x) -> str:
    """Text content: ``<``, ``>`` and ``&`` escaped (quotes stay readable)."""
    return escape("" if x is None else str(x), quote=False)


def ea(x) -> str:
    """An attribute value between double quotes: quotes escaped too."""
    return escape("" if x is None else str(x), quote=True)


def nom_fichier(id_ti: str) -> str:
    """The portrait's file name: the territory id, made safe for any file system."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", id_ti) + ".html"


def normaliser_recherche(texte: str) -> str:
    """Lower case without accents, as the index's script compares (so 'epinal' finds 'Épinal')."""
    decompose = unicodedata.normalize("NFD", texte)
    return "".join(ch for ch in decompose if not unicodedata.combining(ch)).lower()


@dataclass(frozen=True)
class Contexte:
    """What every page of one build shares: synthetic flag, generation stamp, code version."""

    synthetic: bool
    genere_le: str | None
    code_version: str | None
    marts_generes_le: str | None


def contexte(marts: Marts, genere_le: str | None) -> Contexte:
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
    )


def _page(titre: str, entete: str, contenu: str, pied: str, ctx: Contexte, script: str = "") -> str:
    return PAGE.substitute(
        titre=e(("[Données synthétiques] " if ctx.synthetic else "") + titre),
        css=CSS,
        bandeau=BANDEAU_SYNTHETIQUE if ctx.synthetic else "",
        entete=entete,
        contenu=contenu,
        pied=pied,
        script=script,
    )


def _pied(ctx: Contexte) -> str:
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
        parts.append(" <strong>Données synthétiques : aucun chiffre ne décrit un territoire réel.</strong>")
    return "<p>" + "".join(parts) + "</p>"


def valeur_ligne(l: c.LigneIndicateur, zone: str) -> str:
    return format_valeur(l.valeurs.get(zone), l.unite, l.signe, l.decimales)


def non_disponible(texte: str) -> str:
    return f'<p class="non-disponible"><strong>Non disponible</strong> : {e(texte)}.</p>'


def _source_texte(source: str | None, millesime: int | None, annee: int | None = None) -> str:
    s = source or "source non renseignée"
    if millesime is not None:
        s += f", millésime {millesime}"
    if annee is not None and annee != millesime:
        s += f" (données {annee})"
    return s


def _figure(svg_markup: str, source: str) -> str:
    return f"<figure>{svg_markup}<figcaption>Source : {e(source)}.</figcaption></figure>"


def _tableau_donnees(caption: str, entetes: list[tuple[str, bool]], lignes: list[list[str]], ouvert: bool = False) -> str:
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


# --- portrait sections ---------------------------------------------------------------------------


def _entete_portrait(ident: c.Identite, lignes: dict[str, c.LigneIndicateur]) -> str:
    region = ident.libelle_region or ident.code_region or "région non renseignée"
    sous_titre = [e(region), pluriel(len(ident.communes), "commune"), pluriel(len(ident.groupements), "groupement")]
    return (
        '<p class="surtitre"><a href="index.html">Tous les territoires</a> · Territoires d\'industrie · '
        f"portrait du territoire {e(ident.id_ti)}</p>"
        f"<h1>{e(ident.lib_ti)}</h1>"
        f'<p class="sous-titre">{" · ".join(sous_titre)}</p>'
    )


def _chiffres_cles(lignes: dict[str, c.LigneIndicateur]) -> str:
    cartes = []
    for code in CHIFFRES_CLES:
        l = lignes.get(code)
        if l is None or not l.disponible or l.valeurs.get("territoire") is None:
            continue
        valeur = valeur_ligne(l, "territoire")
        comparaison = f"{l.annee_base}–{l.annee}" if l.annee_base is not None else f"en {l.annee}"
        if l.unite not in (None, "nombre", "EUR") and l.valeurs.get("france") is not None:
            comparaison += f" · France : {valeur_ligne(l, 'france')}"
        cartes.append(
            f'<li class="chiffre" data-code="{ea(code)}"><p class="libelle">{e(l.libelle)}</p>'
            f'<p class="valeur">{e(valeur)}</p><p class="comparaison">{e(comparaison)}</p></li>'
        )
    if not cartes:
        return ""
    return f'<ul class="chiffres-cles" aria-label="Chiffres clés">{"".join(cartes)}</ul>'


def _sommaire() -> str:
    items = "".join(f'<li><a href="#{k}">{e(t)}</a></li>' for k, t in SECTIONS)
    return f'<nav class="sommaire" aria-label="Sommaire"><ul>{items}</ul></nav>'


def section_identite(ident: c.Identite, lignes: dict[str, c.LigneIndicateur]) -> str:
    out = [f'<section id="identite" aria-labelledby="identite-titre"><h2 id="identite-titre">{e(SECTIONS[0][1])}</h2>']
    region = ident.libelle_region or NA
    if ident.code_region:
        region += f" ({ident.code_region})"
    dl = [("Région de référence", e(region) + ' <span class="note">(celle qui porte la plus grande part de la population)</span>')]
    autres = [r for r in ident.codes_regions if r != ident.code_region]
    if autres:
        dl.append(("Autres régions touchées", e(", ".join(autres))))
    dl.append(("Départements", e(", ".join(f"{d} ({pluriel(n, 'commune')})" for d, n in ident.departements)) or NA))
    pop = lignes.get("population")
    if pop is not None and pop.disponible:
        dl.append(("Population", f'<span data-code="population">{e(format_valeur(pop.valeurs.get("territoire"), pop.unite))}</span> habitants ({e(pop.annee)})'))
    cog = f" (COG {ident.annee_cog})" if ident.annee_cog else ""
    dl.append(("Communes", e(f"{len(ident.communes)}{cog}")))
    dl.append(("Groupements", e(str(len(ident.groupements)))))
    out.append('<dl class="identite">' + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in dl) + "</dl>")

    out.append("<h3>Groupements</h3>")
    if ident.groupements:
        avec_pop = any(g.population is not None for g in ident.groupements)
        rows = "".join(
            f'<tr><th scope="row">{e(g.libelle)}</th><td>{e(g.nature_libelle or NA)}</td><td>{e(g.siren or NA)}</td>'
            f'<td class="nombre">{e(g.nb_communes)}</td>'
            + (f'<td class="nombre">{e(format_nombre(g.population))}</td>' if avec_pop else "")
            + "</tr>"
            for g in ident.groupements
        )
        out.append(
            '<div class="defilement"><table><caption>Groupements (EPCI ou communes) par lesquels les communes entrent dans le territoire</caption>'
            '<thead><tr><th scope="col">Groupement</th><th scope="col">Nature</th><th scope="col">SIREN</th>'
            '<th scope="col" class="nombre">Communes</th>'
            + ('<th scope="col" class="nombre">Population</th>' if avec_pop else "")
            + f"</tr></thead><tbody>{rows}</tbody></table></div>"
        )
    else:
        out.append(non_disponible("mart_ti_composition ne nomme pas les groupements de ce territoire"))

    out.append("<h3>Communes</h3>")
    rows = []
    for com in ident.communes:
        remarques = []
        if com.codes_liste and com.codes_liste != com.code:
            remarques.append(f"codes de la liste TI : {com.codes_liste}")
        if com.autres_territoires:
            remarques.append("aussi dans " + " ; ".join(com.autres_territoires))
        rows.append(
            f'<tr><td>{e(com.code)}</td><th scope="row">{e(com.libelle)}</th><td>{e(com.departement or NA)}</td>'
            f"<td>{e(com.groupement or NA)}</td><td>{e(' ; '.join(remarques))}</td></tr>"
        )
    out.append(
        f"<details><summary>Les {pluriel(len(ident.communes), 'commune')} du territoire</summary>"
        '<div class="defilement" tabindex="0" role="region" aria-label="Communes du territoire"><table>'
        f"<caption>Communes du territoire{e(cog)}</caption>"
        '<thead><tr><th scope="col">Code</th><th scope="col">Commune</th><th scope="col">Département</th>'
        f'<th scope="col">Groupement</th><th scope="col">Remarque</th></tr></thead><tbody>{"".join(rows)}</tbody></table></div></details>'
    )
    out.append(f'<h3>Carte</h3><p class="note">{e(NOTE_CARTE)}</p>')
    out.append("</section>")
    return "".join(out)


def _notes_ligne(l: c.LigneIndicateur, libelles_a38: dict[str, str]) -> str:
    notes = []
    if l.qualite in QUALITES:
        q = QUALITES[l.qualite]
        if l.qualite == "partiel" and l.nb_communes and l.nb_communes_renseignees is not None and l.nb_communes_renseignees < l.nb_communes:
            q += f" ({l.nb_communes_renseignees} sur {l.nb_communes})"
        notes.append(f'<span class="qualite">{e(q)}</span>')
    if l.couverture is not None and l.couverture < 1:
        # what the coverage counts depends on the source: lauréats with an amount, or Urssaf
        # establishments whose headcount is published
        if l.theme == "laureats" or l.code.endswith("_laureats"):
            texte = f"montant connu pour {format_part(l.couverture, 0)} des lauréats : total minimal"
        elif l.code.startswith("evol_emploi_ind_prive"):
            texte = f"effectif publié pour {format_part(l.couverture, 0)} des établissements industriels (le reste est secret)"
        else:
            texte = f"couverture : {format_part(l.couverture, 0)}"
        notes.append(f'<span class="qualite">{e(texte)}</span>')
    if l.detail:
        codes = [x.strip() for x in re.split(r"[;,]", l.detail) if x.strip()]
        noms = [f'<abbr title="{escape(libelles_a38[k], quote=True)}">{e(k)}</abbr>' if k in libelles_a38 else e(k) for k in codes]
        notes.append(f'<span class="definition">Secteurs : {", ".join(noms)} (<a href="#secteurs">détail</a>)</span>')
    return "".join(notes)


def section_indicateurs(lignes: list[c.LigneIndicateur], libelle_region: str | None, libelles_a38: dict[str, str] | None = None) -> str:
    zones = [(k, label) for k, _, label in c.ZONES]
    entetes = []
    for k, label in zones:
        precision = f'<span class="note">{e(libelle_region)}</span>' if k == "region" and libelle_region else ""
        couleur = svg.COULEURS_ZONES[k]
        entetes.append(
            f'<th scope="col" class="nombre"><span class="pastille" style="background:{couleur}" aria-hidden="true"></span>{e(label)}{precision}</th>'
        )
    corps = []
    for theme, ls in c.par_theme(lignes):
        rows = [f'<tr><th scope="rowgroup" colspan="{len(zones) + 2}">{e(theme)}</th></tr>']
        for l in ls:
            cellules = "".join(
                f'<td class="nombre{" territoire" if k == "territoire" else ""}" data-zone="{k}">{e(valeur_ligne(l, k))}</td>'
                for k, _ in zones
            )
            source = l.source or "source non renseignée"
            if l.millesime is not None:
                source += f", millésime {l.millesime}"
            rows.append(
                f'<tr data-code="{ea(l.code)}"><th scope="row">{e(l.libelle)}'
                f'<span class="definition">{e(source)}</span>{_notes_ligne(l, libelles_a38 or {})}</th>'
                f'<td class="nombre">{e(l.periode or NA)}</td>{cellules}</tr>'
            )
        corps.append("<tbody>" + "".join(rows) + "</tbody>")
    return (
        '<section id="indicateurs" aria-labelledby="indicateurs-titre">'
        f'<h2 id="indicateurs-titre">{e(SECTIONS[1][1])}</h2>'
        '<p class="note">Le territoire et ses quatre comparateurs, à la dernière année disponible de chaque indicateur '
        "(pour une évolution, la période). Un taux est le rapport des sommes sur les communes de la zone, jamais une moyenne "
        "de taux communaux. « n.d. » : non disponible. Définitions et précautions de chaque indicateur : "
        '<a href="#definitions">en bas de page</a>.</p>'
        '<div class="defilement" tabindex="0" role="region" aria-label="Tableau des indicateurs">'
        '<table id="tableau-indicateurs"><caption>Indicateurs du territoire et de ses comparateurs</caption>'
        f'<thead><tr><th scope="col">Indicateur</th><th scope="col" class="nombre">Année</th>{"".join(entetes)}</tr></thead>'
        f'{"".join(corps)}</table></div></section>'
    )


def section_secteurs(sect: c.Secteurs | c.NonDisponible) -> str:
    titre = SECTIONS[2][1]
    out = [f'<section id="secteurs" aria-labelledby="secteurs-titre"><h2 id="secteurs-titre">{e(titre)}</h2>']
    if isinstance(sect, c.NonDisponible):
        out.append(non_disponible(sect.raison))
        return "".join(out) + "</section>"
    top = [s for s in sect.secteurs if s.postes is not None][:10]
    barres = []
    for s in top:
        texte = format_nombre(s.postes)
        if s.quotient is not None:
            texte += f" · indice {format_indice(s.quotient)}"
        barres.append(svg.Barre(libelle=f"{s.code} · {s.libelle}", valeur=s.postes, texte=texte))
    annee = f" en {sect.annee}" if sect.annee else ""
    if barres:
        description = "Postes salariés par secteur industriel (A38)" + annee + " : " + "; ".join(
            f"{s.libelle} {format_nombre(s.postes)}" for s in top
        ) + "."
        out.append(f"<h3>Les principaux secteurs industriels, en postes salariés{e(annee)}</h3>")
        out.append(
            _figure(
                svg.barres_horizontales("g-secteurs", f"Postes salariés par secteur industriel{annee}", description, [svg.GroupeBarres(None, barres)]),
                _source_texte(sect.source, sect.millesime, sect.annee),
            )
        )
    out.append(
        '<p class="note">Indice de spécificité (quotient de localisation) : la part du secteur dans les postes salariés '
        "du territoire rapportée à cette part en France ; au-dessus de 1, le secteur pèse plus ici qu'en France.</p>"
    )
    if any(s.secret for s in sect.secteurs):
        out.append('<p class="note">* secret statistique : des cellules Flores non publiées manquent, postes sous-estimés.</p>')
    lignes = [
        [
            e(f"{s.libelle} ({s.code})" + (" *" if s.secret else "")),
            e(s.rang if s.rang is not None else NA),
            e(format_nombre(s.postes)),
            e(format_part(s.part)),
            e(format_nombre(s.etablissements)),
            e(format_indice(s.quotient)),
        ]
        for s in sect.secteurs
    ]
    out.append(
        _tableau_donnees(
            f"Secteurs industriels du territoire{annee}",
            [("Secteur (A38)", False), ("Rang", True), ("Postes salariés", True), ("Part des postes industriels", True), ("Établissements", True), ("Indice de spécificité", True)],
            lignes,
        )
    )
    return "".join(out) + "</section>"


def section_tailles(tailles: c.Tailles | c.NonDisponible, ident: c.Identite) -> str:
    out = [f'<section id="tailles" aria-labelledby="tailles-titre"><h2 id="tailles-titre">{e(SECTIONS[3][1])}</h2>']
    if isinstance(tailles, c.NonDisponible):
        out.append(non_disponible(tailles.raison))
        return "".join(out) + "</section>"
    noms = _noms_zones(ident)
    lignes_svg, lignes_tab = [], []
    for z in tailles.zones:
        libelle = noms.get(z.zone, c.LIBELLES_ZONES[z.zone])
        segments = []
        # two bands: small and large (light, dark); three: light, medium, dark
        couleurs = COULEURS_TAILLES if len(z.parts) == 3 else (COULEURS_TAILLES[0], COULEURS_TAILLES[2])
        for (nom, part), (fond, texte) in zip(z.parts, couleurs):
            segments.append(svg.Segment(nom=nom, part=part, texte=format_part(part, 0), couleur=fond, couleur_texte=texte))
        lignes_svg.append(svg.LigneEmpilee(libelle=libelle, segments=segments))
        lignes_tab.append([e(libelle)] + [e(format_part(p)) for _, p in z.parts])
    annee = f" en {tailles.annee}" if tailles.annee else ""
    territoire = tailles.zones[0] if tailles.zones and tailles.zones[0].zone == "territoire" else None
    description = f"Répartition des postes salariés industriels selon la taille de l'établissement{annee}"
    if territoire:
        description += " ; dans le territoire : " + ", ".join(f"{n} {format_part(p, 0)}" for n, p in territoire.parts)
    out.append(f"<h3>Postes salariés industriels selon la taille de l'établissement{e(annee)}</h3>")
    out.append(
        _figure(
            svg.barres_empilees("g-tailles", "Postes industriels par taille d'établissement" + annee, description + ".", lignes_svg),
            _source_texte(tailles.source, tailles.millesime, tailles.annee),
        )
    )
    if tailles.qualite in QUALITES:
        out.append(f'<p class="note">Qualité du territoire : {e(QUALITES[tailles.qualite])} (les cellules de détail par taille sont plus souvent secrètes que les totaux).</p>')
    entetes = [("Zone", False)] + [(n, True) for n, _ in tailles.zones[0].parts] if tailles.zones else [("Zone", False)]
    out.append(_tableau_donnees(f"Part des postes industriels par taille d'établissement{annee}", entetes, lignes_tab))
    return "".join(out) + "</section>"


def _noms_zones(ident: c.Identite) -> dict[str, str]:
    return {"territoire": ident.lib_ti, "region": f"Région {ident.libelle_region}" if ident.libelle_region else "Région"}


def section_emploi(emploi, ident: c.Identite) -> str:
    out = [f'<section id="emploi" aria-labelledby="emploi-titre"><h2 id="emploi-titre">{e(SECTIONS[4][1])}</h2>']
    noms = _noms_zones(ident)
    if isinstance(emploi, c.NonDisponible):
        out.append(non_disponible(emploi.raison))
        return "".join(out) + "</section>"
    if isinstance(emploi, c.SerieEmploi):
        series = [
            svg.Serie(
                nom=noms.get(zone, label),
                points=emploi.indices[zone],
                couleur=svg.COULEURS_ZONES[zone],
                tirets=svg.TIRETS_ZONES[zone],
                epaisseur=3.0 if zone == "territoire" else 1.8,
            )
            for zone, _, label in c.ZONES
            if zone in emploi.indices
        ]
        annees = sorted({a for pts in emploi.indices.values() for a, _ in pts})
        fin_annee, fin = emploi.indices["territoire"][-1]
        titre = f"{emploi.libelle}, indice base 100 en {emploi.base_annee}"
        description = (
            f"{titre}, de {annees[0]} à {annees[-1]}. {noms['territoire']} : {format_nombre(fin, 1)} en {fin_annee}"
            + "".join(
                f" ; {noms.get(z, c.LIBELLES_ZONES[z])} : {format_nombre(pts[-1][1], 1)} en {pts[-1][0]}"
                for z, pts in emploi.indices.items()
                if z != "territoire"
            )
            + "."
        )
        out.append(f"<h3>{e(titre)}</h3>")
        source = _source_texte(emploi.source, emploi.millesime)
        if emploi.methode == "evolutions_chainees":
            source += " ; indice obtenu en enchaînant les évolutions annuelles de mart_ti_indicateurs (evol_emploi_ind_prive_1a)"
        out.append(_figure(svg.courbes("g-emploi", titre, description, series, lambda v: format_nombre(v, 0), reference=100), source))
        if emploi.niveaux:
            (a0, n0), (a1, n1) = emploi.niveaux[0], emploi.niveaux[-1]
            out.append(
                f'<p class="note">Dans le territoire : {e(format_nombre(n0))} salariés de l\'industrie privée au 31/12/{a0}, '
                f"{e(format_nombre(n1))} au 31/12/{a1}. Secteur privé seulement (Urssaf), établissements classés par leur code APE.</p>"
            )
        lignes_tab = [
            [e(noms.get(z, label))] + [e(format_nombre(dict(emploi.indices[z]).get(a), 1)) for a in annees]
            for z, _, label in c.ZONES
            if z in emploi.indices
        ]
        if emploi.niveaux:
            niveaux = dict(emploi.niveaux)
            lignes_tab.append([e(f"{noms['territoire']} : salariés")] + [e(format_nombre(niveaux.get(a))) for a in annees])
        out.append(_tableau_donnees(titre, [("Zone", False)] + [(str(a), True) for a in annees], lignes_tab))
        return "".join(out) + "</section>"
    # only the latest changes over 1, 5 and 10 years: grouped bars, one group per horizon
    groupes, lignes_tab = [], []
    for l in emploi.lignes:
        barres = [
            svg.Barre(libelle=noms.get(zone, label), valeur=l.valeurs[zone], texte=valeur_ligne(l, zone), couleur=svg.COULEURS_ZONES[zone])
            for zone, _, label in c.ZONES
            if l.valeurs.get(zone) is not None
        ]
        groupes.append(svg.GroupeBarres(f"{l.libelle} ({l.periode})", barres))
        lignes_tab.append([e(f"{l.libelle} ({l.periode})")] + [e(valeur_ligne(l, z)) for z, _, _ in c.ZONES])
    premiere = emploi.lignes[0]
    description = "; ".join(f"{l.libelle} : {valeur_ligne(l, 'territoire')} dans le territoire" for l in emploi.lignes)
    out.append("<h3>Évolution de l'emploi salarié industriel privé</h3>")
    out.append(
        _figure(
            svg.barres_horizontales("g-emploi", "Évolution de l'emploi salarié industriel privé", description + ".", groupes),
            _source_texte(premiere.source, premiere.millesime),
        )
    )
    out.append(_tableau_donnees("Évolution de l'emploi salarié industriel privé", [("Indicateur", False)] + [(label, True) for _, _, label in c.ZONES], lignes_tab))
    return "".join(out) + "</section>"


TITRES_UNIQUE = {"mesure": "Une seule mesure", "filiere": "Une seule filière"}


def _bloc_laureats(i: int, bloc: c.BlocLaureats, entete: bool = True) -> str:
    out = []
    annee = f", millésime {bloc.millesime}" if bloc.millesime else ""
    if entete:
        out.append(f"<h3>{e(bloc.titre)}</h3>")
        out.append(
            f'<p><strong data-source-laureat="{ea(bloc.source_laureat)}">{e(pluriel(bloc.total, "lauréat"))}</strong> '
            f"localisé{'s' if bloc.total > 1 else ''} dans le territoire (source : {e(bloc.source)}{e(annee)}).</p>"
        )
    for rep in bloc.repartitions:
        if len(rep.modalites) < 2:
            # one modality says nothing a chart would show better than a sentence
            if rep.modalites:
                out.append(f'<p class="note">{e(TITRES_UNIQUE.get(rep.axe, "Une seule modalité"))} : {e(rep.modalites[0][0])}.</p>')
            continue
        barres = [svg.Barre(libelle=m, valeur=v, texte=format_nombre(v)) for m, v in rep.modalites[:12]]
        titre = f"Lauréats {rep.titre}"
        description = f"{titre} : " + "; ".join(f"{m} {format_nombre(v)}" for m, v in rep.modalites) + "."
        out.append(f"<h4>{e(titre)}</h4>")
        out.append(
            _figure(
                svg.barres_horizontales(f"g-laureats-{i}-{rep.axe}", titre, description, [svg.GroupeBarres(None, barres)]),
                f"{bloc.source}{annee} ; mart_ti_laureats",
            )
        )
        out.append(_tableau_donnees(titre, [(rep.titre.removeprefix("par ").capitalize(), False), ("Lauréats", True)], [[e(m), e(format_nombre(v))] for m, v in rep.modalites]))
    if bloc.montants:
        rows = "".join(
            f'<tr><th scope="row">{e(m.libelle)}</th><td class="nombre">{e(format_euros(m.valeur) if m.unite == "EUR" else format_nombre(m.valeur))}</td>'
            f'<td class="nombre">{e(format_part(m.couverture, 0))}</td></tr>'
            for m in bloc.montants
        )
        out.append(
            '<div class="defilement"><table><caption>Montants déclarés par ces lauréats, avec la part des lauréats qui les renseignent</caption>'
            '<thead><tr><th scope="col">Montant</th><th scope="col" class="nombre">Total</th>'
            f'<th scope="col" class="nombre">Lauréats renseignés</th></tr></thead><tbody>{rows}</tbody></table></div>'
        )
    return "".join(out)


def section_laureats(laur: c.Laureats | c.NonDisponible) -> str:
    out = [f'<section id="laureats" aria-labelledby="laureats-titre"><h2 id="laureats-titre">{e(SECTIONS[5][1])}</h2>']
    if isinstance(laur, c.NonDisponible):
        out.append(non_disponible(laur.raison))
        return "".join(out) + "</section>"
    if laur.total is not None:
        annee = f" (données {laur.annee})" if laur.annee else ""
        out.append(
            f'<p><strong data-code="nb_laureats_relance">{e(pluriel(int(laur.total), "projet lauréat", "projets lauréats"))}</strong> '
            f"des mesures industrielles de France Relance localisés dans le territoire{e(annee)}.</p>"
        )
    if len(laur.blocs) > 1:
        out.append(
            '<p class="note">Deux sources, jamais additionnées : le fichier public du plan de relance (toutes les mesures '
            "industrielles, sans montants) et l'extrait du programme pour le fonds Territoires d'industrie (avec aide, "
            "investissement et emplois) ; un projet du fonds figure dans les deux.</p>"
        )
    elif laur.blocs and laur.blocs[0].source_laureat == c.PROJETS_FUSIONNES:
        out.append(
            '<p class="note">Projets du fichier public du plan de relance (toutes les mesures industrielles) et de l\'extrait '
            "du programme pour le fonds Territoires d'industrie, un projet présent dans les deux comptant une fois. "
            "Seul l'extrait du fonds porte l'aide, l'investissement et les emplois : la couverture dit pour quelle part "
            "des projets ils sont connus.</p>"
        )
    # a single block whose count is the one just stated needs no heading of its own
    seul = len(laur.blocs) == 1 and laur.total is not None and laur.blocs[0].total == int(laur.total)
    for i, bloc in enumerate(laur.blocs):
        out.append(_bloc_laureats(i, bloc, entete=not seul))
    if laur.liste:
        rows = "".join(
            f'<tr><th scope="row">{e(l.entreprise)}</th><td>{e(l.mesure or NA)}</td><td>{e(l.filiere or NA)}</td>'
            f'<td>{e(l.commune or NA)}</td><td class="nombre">{e(format_euros(l.investissement))}</td>'
            f'<td class="nombre">{e(format_euros(l.aide))}</td><td class="nombre">{e(format_nombre(l.emplois))}</td>'
            f"<td>{e(c.SOURCES_COURTES.get(l.source_laureat, l.source_laureat))}</td></tr>"
            for l in laur.liste
        )
        out.append(
            f"<details><summary>Les {e(pluriel(len(laur.liste), 'projet lauréat', 'projets lauréats'))} du territoire</summary>"
            '<div class="defilement" tabindex="0" role="region" aria-label="Lauréats du territoire"><table><caption>Lauréats du territoire (mart_laureats)</caption>'
            '<thead><tr><th scope="col">Entreprise</th><th scope="col">Mesure</th><th scope="col">Filière</th><th scope="col">Commune</th>'
            '<th scope="col" class="nombre">Investissement</th><th scope="col" class="nombre">Aide</th><th scope="col" class="nombre">Emplois</th>'
            f'<th scope="col">Source</th></tr></thead><tbody>{rows}</tbody></table></div></details>'
        )
    for note in laur.notes:
        out.append(non_disponible(note))
    return "".join(out) + "</section>"


def _lien_url(url: str | None) -> str:
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
            f'<span class="definition">{_lien_url(p.get("url"))} · sha256 <code>{e((p.get("sha256") or NA)[:12])}</code>{synthetique}</span></th>'
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


def page_portrait(marts: Marts, id_ti: str, ctx: Contexte) -> str:
    """The whole HTML page of one territory."""
    ident = c.identite(marts, id_ti)
    lignes = c.indicateurs(marts, id_ti)
    idx = c.par_code(lignes)
    secteurs = c.secteurs(marts, id_ti)
    libelles_a38 = {s.code: s.libelle for s in secteurs.secteurs} if isinstance(secteurs, c.Secteurs) else {}
    entete = _entete_portrait(ident, idx) + _sommaire()
    contenu = "".join(
        [
            _chiffres_cles(idx),
            section_identite(ident, idx),
            section_indicateurs(lignes, ident.libelle_region, libelles_a38),
            section_secteurs(secteurs),
            section_tailles(c.tailles(lignes), ident),
            section_emploi(c.emploi_industriel(marts, id_ti, lignes), ident),
            section_laureats(c.laureats(marts, id_ti, lignes)),
            section_sources(marts, lignes),
        ]
    )
    return _page(f"{ident.lib_ti} — portrait du territoire d'industrie", entete, contenu, _pied(ctx), ctx)


def page_index(marts: Marts, ctx: Contexte) -> str:
    """The list of every territory, with a search by name, region, département or commune."""
    entrees = c.entrees_index(marts)
    rows = []
    for t in entrees:
        recherche = normaliser_recherche(" ".join([t.id_ti, t.lib_ti, t.region or "", *t.departements, *t.communes]))
        pop = format_nombre(t.population) if t.population is not None else NA
        rows.append(
            f'<tr data-recherche="{escape(recherche, quote=True)}"><th scope="row"><a href="{ea(nom_fichier(t.id_ti))}">{e(t.lib_ti)}</a>'
            f' <span class="note">{e(t.id_ti)}</span></th><td>{e(t.region or NA)}</td><td>{e(", ".join(t.departements))}</td>'
            f'<td class="nombre">{e(t.nb_communes)}</td><td class="nombre">{e(pop)}</td></tr>'
        )
    annees = sorted({t.annee_population for t in entrees if t.annee_population})
    entete = (
        '<p class="surtitre">Programme Territoires d\'industrie (ANCT, DGE)</p>'
        "<h1>Portraits des Territoires d'industrie</h1>"
        f'<p class="sous-titre">{e(pluriel(len(entrees), "territoire"))} : identité, indicateurs comparés, '
        "secteurs, emploi industriel et lauréats France Relance</p>"
    )
    contenu = (
        '<div class="recherche" role="search"><label for="recherche">Rechercher un territoire (nom, région, département ou commune)</label>'
        '<input id="recherche" type="search" autocomplete="off" aria-describedby="nb-resultats">'
        f'<p id="nb-resultats" class="note" aria-live="polite">{e(pluriel(len(entrees), "territoire"))}</p></div>'
        '<div class="defilement" tabindex="0" role="region" aria-label="Liste des territoires"><table id="territoires">'
        "<caption>Les territoires et leur portrait</caption><thead><tr>"
        '<th scope="col">Territoire</th><th scope="col">Région de référence</th><th scope="col">Départements</th>'
        f'<th scope="col" class="nombre">Communes</th><th scope="col" class="nombre">Population{e(" (" + ", ".join(map(str, annees)) + ")" if annees else "")}</th>'
        f'</tr></thead><tbody>{"".join(rows)}</tbody></table></div>'
        '<h2 id="a-propos">À propos de ces pages</h2>'
        "<p>Chaque portrait est construit à partir des seuls marts Parquet publiés par le pipeline "
        "(<code>mart_ti_indicateurs</code>, <code>mart_ti_composition</code>, <code>dim_indicateur</code> et, quand ils sont publiés, "
        "<code>mart_ti_secteurs</code> et <code>mart_ti_laureats</code>). Les sources, leurs millésimes et les versions des marts "
        "sont détaillés en bas de chaque portrait. Les contours communaux ne sont pas dans les marts : les portraits n'ont pas de carte.</p>"
    )
    return _page("Portraits des Territoires d'industrie", entete, contenu, _pied(ctx), ctx, SCRIPT_RECHERCHE)
