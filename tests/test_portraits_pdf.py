"""The portraits' PDFs: printed by the system Chromium from the same HTML, A4, one file each, linked
from the page, and their text holds the territory's name, its population and every section's title
(read back with pypdf). Without Chromium the build publishes the pages without PDFs and says why.
"""

from __future__ import annotations

import re

import pytest

from ti_pipeline.portraits import pdf as impression
from ti_pipeline.portraits.build import build_portraits
from ti_pipeline.portraits.render import SECTIONS

TERRITOIRE = "ti-8402"
A4 = (595.0, 842.0)  # points


def chiffres(texte: str) -> str:
    return re.sub(r"\D", "", texte)


@pytest.fixture(scope="module")
def avec_pdf(sample_run, tmp_path_factory):
    try:
        impression.chromium_executable()
    except impression.PdfIndisponible as exc:
        pytest.skip(str(exc))
    return build_portraits(sample_run.marts, tmp_path_factory.mktemp("pdf") / "pages", pdf=True)


def test_each_portrait_has_its_a4_pdf_linked_from_its_page(avec_pdf):
    assert avec_pdf.pdf is not None and sorted(avec_pdf.pdf.durees) == sorted(f"{t}.html" for t in avec_pdf.territoires)
    for t in avec_pdf.territoires:
        html = (avec_pdf.out_dir / f"{t}.html").read_text(encoding="utf-8")
        assert f'<p class="lien-pdf"><a href="{t}.pdf">' in html
        assert (avec_pdf.out_dir / f"{t}.pdf").read_bytes()[:5] == b"%PDF-"
    assert avec_pdf.pdf.par_portrait > 0


def test_pdf_text_has_name_population_and_every_section(avec_pdf):
    from pypdf import PdfReader

    reader = PdfReader(avec_pdf.out_dir / f"{TERRITOIRE}.pdf")
    largeur, hauteur = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert abs(largeur - A4[0]) < 1 and abs(hauteur - A4[1]) < 1, (largeur, hauteur)
    texte = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages))
    html = (avec_pdf.out_dir / f"{TERRITOIRE}.html").read_text(encoding="utf-8")
    nom = re.search(r"<h1>([^<]+)</h1>", html).group(1)
    population = re.search(r'<span data-code="population">([^<]+)</span>', html).group(1)
    assert nom in texte
    # the figure as printed (thin spaces between thousands may come out as any space)
    assert re.search(r"(?<!\d)" + r"\s?".join(chiffres(population)) + r"(?!\d) habitants", texte), population
    for _, titre in SECTIONS:
        assert titre in texte, titre
    assert "file://" not in texte


def test_without_chromium_the_pages_are_published_without_pdf(sample_run, tmp_path, monkeypatch):
    monkeypatch.setenv(impression.ENV_CHROMIUM, str(tmp_path / "pas-de-chromium"))
    built = build_portraits(sample_run.marts, tmp_path / "pages", pdf=True)
    assert built.pdf is None and "n'est pas un exécutable" in built.pdf_message
    assert not list((tmp_path / "pages").glob("*.pdf"))
    assert 'class="lien-pdf"' not in (tmp_path / "pages" / f"{TERRITOIRE}.html").read_text(encoding="utf-8")


def test_print_stylesheet_is_a4():
    from ti_pipeline.portraits.render import CSS

    assert "@page{size:A4" in CSS
