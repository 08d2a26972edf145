"""The pages: a territory's portrait (its sections in order) and the index with its search, and the
file name of each. The sections come from the other modules of this package.
"""

from __future__ import annotations

import re
import unicodedata
from html import escape

from ti_pipeline.portraits import content as c
from ti_pipeline.portraits.formats import (
    NA,
    format_nombre,
    pluriel,
)
from ti_pipeline.portraits.marts import Marts
from ti_pipeline.portraits.render.identity import chiffres_cles, entete_portrait, section_identite, sommaire
from ti_pipeline.portraits.render.indicators import figure_emplois, figure_population, section_indicateurs
from ti_pipeline.portraits.render.industry import noms_zones, section_emploi, section_secteurs, section_tailles
from ti_pipeline.portraits.render.laureates import section_laureats
from ti_pipeline.portraits.render.map import carte_index, carte_territoire
from ti_pipeline.portraits.render.page import (
    Contexte,
    e,
    ea,
    page_html,
    pied_de_page,
)
from ti_pipeline.portraits.render.glossary import FICHIER_GLOSSAIRE
from ti_pipeline.portraits.render.sources import section_sources

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


def nom_fichier(id_ti: str) -> str:
    """The portrait's file name: the territory id, made safe for any file system."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", id_ti) + ".html"


def lien_pdf(id_ti: str) -> str:
    """The link from a portrait to its printed version (``portraits.pdf``), hidden in print."""
    pdf = nom_fichier(id_ti).removesuffix(".html") + ".pdf"
    return f'<p class="lien-pdf"><a href="{ea(pdf)}">Version imprimable : PDF au format A4</a></p>'


def normaliser_recherche(texte: str) -> str:
    """Lower case without accents, as the index's script compares (so 'epinal' finds 'Épinal')."""
    decompose = unicodedata.normalize("NFD", texte)
    return "".join(ch for ch in decompose if not unicodedata.combining(ch)).lower()


def page_portrait(marts: Marts, id_ti: str, ctx: Contexte) -> str:
    """The whole HTML page of one territory."""
    ident = c.identite(marts, id_ti)
    lignes = c.indicateurs(marts, id_ti)
    idx = c.par_code(lignes)
    secteurs = c.secteurs(marts, id_ti)
    libelles_a38 = {s.code: s.libelle for s in secteurs.secteurs} if isinstance(secteurs, c.Secteurs) else {}
    entete = entete_portrait(ident, idx) + (lien_pdf(id_ti) if ctx.pdf else "") + sommaire()
    contenu = "".join(
        [
            chiffres_cles(idx),
            section_identite(ident, idx, carte_territoire(c.carte_territoire(marts, ident), ident)),
            section_indicateurs(
                lignes, ident.libelle_region, libelles_a38,
                figure_population(c.population_longue(marts, id_ti, lignes), noms_zones(ident))
                + figure_emplois(c.emplois_longue(marts, id_ti, lignes), noms_zones(ident)),
            ),
            section_secteurs(secteurs),
            section_tailles(c.tailles(lignes), ident),
            section_emploi(c.emploi_industriel(marts, id_ti, lignes), ident),
            section_laureats(c.laureats(marts, id_ti, lignes)),
            section_sources(marts, lignes),
        ]
    )
    return page_html(f"{ident.lib_ti} — portrait du territoire d'industrie", entete, contenu, pied_de_page(ctx), ctx)


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
            f'<td class="nombre">{e(NA if t.nb_communes is None else t.nb_communes)}</td><td class="nombre">{e(pop)}</td></tr>'
        )
    annees = sorted({t.annee_population for t in entrees if t.annee_population})
    entete = (
        '<p class="surtitre">Programme Territoires d\'industrie (ANCT, DGE)</p>'
        "<h1>Portraits des Territoires d'industrie</h1>"
        f'<p class="sous-titre">{e(pluriel(len(entrees), "territoire"))} : identité, indicateurs comparés, '
        "secteurs, emploi industriel et lauréats France Relance</p>"
    )
    contenu = (
        '<h2 id="carte-territoires">Carte des territoires</h2>'
        + carte_index(c.contours_index(marts), nom_fichier)
        + '<h2 id="liste">Liste des territoires</h2>'
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
        "sont détaillés en bas de chaque portrait ; les cartes viennent des marts <code>mart_ti_contours</code> et "
        "<code>mart_communes_contours</code> (contours des communes, simplifiés). Les définitions des indicateurs sont "
        f'dans le <a href="{FICHIER_GLOSSAIRE}">glossaire</a>.</p>'
    )
    return page_html("Portraits des Territoires d'industrie", entete, contenu, pied_de_page(ctx), ctx, SCRIPT_RECHERCHE)
