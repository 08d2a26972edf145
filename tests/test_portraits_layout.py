"""The portraits' layout with the longest real names: no horizontal overflow at 1,100 px (neither the
page nor any table inside its scrolling box), no console error, region names instead of codes, no
local path anywhere, definitions on the glossary page only.

The names are real: the longest region names of the COG (``Provence-Alpes-Côte d'Azur``,
``Bourgogne-Franche-Comté``) and a long territory name of the programme (the "Rebond industriel"
list of November 2023 names the territory "Ardenne Rives de Meuse – Vallées et Plateau d'Ardenne –
Ardenne Métropole"). They replace, in memory, those of one sample territory's marts before its pages
are rendered, as a national run would show them.
"""

from __future__ import annotations

import re

import pytest

from browser import chromium, open_page, unavailable
from ti_pipeline.portraits.build import publish_pages, render_pages
from ti_pipeline.portraits.marts import load_marts

TERRITOIRE = "ti-8402"
NOM_LONG = "Ardenne Rives de Meuse – Vallées et Plateau d'Ardenne – Ardenne Métropole"
REGIONS_LONGUES = {"84": "Provence-Alpes-Côte d'Azur", "27": "Bourgogne-Franche-Comté"}
LARGEUR = 1100

# What overflows: the page itself, or a table wider than the box that scrolls it (its last columns
# hidden until one scrolls, "the France column is cut").
DEBORDEMENTS = """(() => {
  const d = document.documentElement;
  const boites = [...document.querySelectorAll('.defilement')]
    .filter(b => b.scrollWidth > b.clientWidth + 1)
    .map(b => (b.getAttribute('aria-label') || b.querySelector('caption')?.textContent || '?') + ': ' + b.scrollWidth + ' > ' + b.clientWidth);
  return {page: [d.scrollWidth, d.clientWidth], boites};
})()"""


@pytest.fixture(scope="module")
def pages_longues(sample_run, tmp_path_factory):
    marts = load_marts(sample_run.marts)
    comp = marts.frame("mart_ti_composition")
    lignes = comp["id_ti"] == TERRITOIRE
    comp.loc[lignes, "lib_ti"] = NOM_LONG
    comp.loc[lignes, "libelle_region_reference"] = REGIONS_LONGUES["84"]
    # the territory touches a second region, with a long name too
    comp.loc[lignes, "codes_regions"] = "27 ; 84"
    comp.loc[lignes, "libelles_regions"] = f"{REGIONS_LONGUES['27']} ; {REGIONS_LONGUES['84']}"
    pages = render_pages(marts, "2026-12-07T12:00:00+00:00")
    out = tmp_path_factory.mktemp("longs") / "pages"
    publish_pages(pages, out)
    return out


def test_region_names_not_codes(pages_longues):
    html = (pages_longues / f"{TERRITOIRE}.html").read_text(encoding="utf-8")
    assert f"<h1>{NOM_LONG}</h1>" in html
    assert re.search(r"<dt>Autres régions touchées</dt><dd>Bourgogne-Franche-Comté</dd>", html), "a name, not the code 27"


def test_no_local_path_and_definitions_on_the_glossary(pages_longues):
    glossaire = (pages_longues / "glossaire.html").read_text(encoding="utf-8")
    for page in sorted(pages_longues.glob("*.html")):
        html = page.read_text(encoding="utf-8")
        assert "file://" not in html and "/tmp/" not in html, page.name
        # every link to the glossary lands on an entry
        for ancre in re.findall(r'href="glossaire\.html#([^"]+)"', html):
            assert f'id="{ancre}"' in glossaire, (page.name, ancre)
    portrait = (pages_longues / f"{TERRITOIRE}.html").read_text(encoding="utf-8")
    assert 'class="definitions"' not in portrait, "definitions live on the glossary page"
    assert portrait.count('href="glossaire.html#def-') >= 20
    # chart values say their unit
    assert re.search(r">[\d\u202f]+ postes · spécificité \d+,\d\d<", portrait)


@pytest.mark.skipif(unavailable() is not None, reason=str(unavailable()))
def test_no_horizontal_overflow_at_1100_px(pages_longues):
    noms = ["index.html", "glossaire.html", f"{TERRITOIRE}.html"]
    with chromium() as browser:
        rapports = {n: open_page(browser, (pages_longues / n).as_uri(), width=LARGEUR, height=900,
                                 probes={"debordements": DEBORDEMENTS}) for n in noms}
    for nom, r in rapports.items():
        assert not r.errors, (nom, r.errors)
        largeur, visible = r.probes["debordements"]["page"]
        assert largeur <= visible, f"{nom}: the page scrolls horizontally ({largeur} > {visible})"
        assert not r.probes["debordements"]["boites"], (nom, r.probes["debordements"]["boites"])
