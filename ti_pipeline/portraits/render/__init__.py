"""HTML of the portraits: one page per territory and the index page, self-contained and in French.

Pages embed their CSS (and, for the index, a few lines of JavaScript for the search); charts are
inline SVG from ``portraits.svg``. No external resource at all, so a page opens offline, from a file
or a zip. Data selection lives in ``portraits.content``; this package only decides how things look.

Modules: ``page`` (the template, CSS, footer and the building blocks every section uses), one module
per part of a portrait (``identity``, ``indicators``, ``industry``, ``laureates``, ``sources``), ``glossary`` (the one page of definitions), and
``pages`` (a whole portrait, the index, file names). This package re-exports what ``build`` uses.
"""

from ti_pipeline.portraits.render.glossary import FICHIER_GLOSSAIRE, page_glossaire
from ti_pipeline.portraits.render.industry import COULEURS_TAILLES
from ti_pipeline.portraits.render.page import CSS, SECTIONS, Contexte, contexte
from ti_pipeline.portraits.render.pages import nom_fichier, normaliser_recherche, page_index, page_portrait

__all__ = [
    "COULEURS_TAILLES", "CSS", "FICHIER_GLOSSAIRE", "page_glossaire", "SECTIONS", "Contexte", "contexte", "nom_fichier", "normaliser_recherche",
    "page_index", "page_portrait",
]
