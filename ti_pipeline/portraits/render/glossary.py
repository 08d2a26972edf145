"""The glossary page (``glossaire.html``): the definition, formula, unit, source and precautions of
every indicator of ``dim_indicateur``, once for all portraits.

A portrait links each indicator and each figure to its entry here (``lien_definition``) instead of
repeating the definitions at its bottom: they were a third of a page that said the same thing 183
times.
"""

from __future__ import annotations

from ti_pipeline.portraits import content as c
from ti_pipeline.portraits.marts import Marts
from ti_pipeline.portraits.render.page import Contexte, e, ea, page_html, pied_de_page

FICHIER_GLOSSAIRE = "glossaire.html"

# Words the portraits use that are not indicators but need the same care.
TERMES = (
    ("indice-specificite", "Indice de spécificité (quotient de localisation)",
     "La part d'un secteur dans les postes salariés du territoire rapportée à sa part en France ; "
     "au-dessus de 1, le secteur pèse plus dans le territoire qu'en France."),
    ("indice-base-100", "Indice base 100",
     "Une série divisée par sa valeur de l'année de base et multipliée par 100 : 110 signifie +10 % depuis cette année."),
    ("comparateurs", "Comparateurs",
     "La région de référence du territoire (celle qui porte la plus grande part de sa population), "
     "l'ensemble des Territoires d'industrie, la France hors Territoires d'industrie et la France. "
     "Un taux est toujours le rapport des sommes sur les communes de la zone, jamais une moyenne de taux communaux."),
    ("secret", "Secret statistique",
     "Les cellules que l'Insee ou l'Urssaf ne publient pas (trop peu d'établissements) manquent aux sommes : "
     "la valeur est alors une borne basse, signalée à côté du chiffre."),
)


def ancre(code: str) -> str:
    return f"def-{code}"


def lien_definition(code: str, texte: str = "définition") -> str:
    """A link from a portrait to an entry of the glossary."""
    return f'<a class="lien-definition" href="{FICHIER_GLOSSAIRE}#{ea(ancre(code))}">{e(texte)}</a>'


def page_glossaire(marts: Marts, ctx: Contexte) -> str:
    lignes = c.definitions(marts)
    parts = []
    for theme, ls in c.par_theme(lignes):
        items = []
        for l in ls:
            details = [
                l.definition,
                f"Formule : {l.formule}" if l.formule else None,
                f"Unité : {l.unite}" if l.unite else None,
                f"Source : {l.source}" if l.source else None,
            ]
            precaution = f'<br><span class="qualite">Précaution : {e(l.precautions)}</span>' if l.precautions else ""
            items.append(
                f'<dt id="{ea(ancre(l.code))}">{e(l.libelle)} <code>{e(l.code)}</code></dt>'
                f'<dd>{e(" — ".join(d for d in details if d))}{precaution}</dd>'
            )
        parts.append(f'<h2>{e(theme)}</h2><dl class="definitions">{"".join(items)}</dl>')
    termes = "".join(f'<dt id="{ea(ancre(k))}">{e(t)}</dt><dd>{e(d)}</dd>' for k, t, d in TERMES)
    entete = (
        '<p class="surtitre"><a href="index.html">Tous les territoires</a> · Territoires d\'industrie</p>'
        "<h1>Glossaire des indicateurs</h1>"
        '<p class="sous-titre">Définitions, formules, unités, sources et précautions de chaque chiffre des portraits</p>'
    )
    contenu = "".join(parts) + f'<h2 id="termes">Autres termes</h2><dl class="definitions">{termes}</dl>'
    return page_html("Glossaire des indicateurs — Territoires d'industrie", entete, contenu, pied_de_page(ctx), ctx)
