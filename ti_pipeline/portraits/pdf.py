"""Each portrait as a one-file A4 PDF, printed from the same HTML by the system Chromium.

``chromium --headless --print-to-pdf`` prints a page as a reader's browser would, with the pages'
print stylesheet (``@page { size: A4 }``, ``render.page.CSS``): no second layout to maintain, no PDF
library. Chromium is a system program, not a Python dependency: ``chromium_executable`` finds it
(``TI_CHROMIUM``, else ``chromium``, ``chromium-browser`` or ``google-chrome`` on the PATH); without
it the PDFs are skipped with a message saying so (``PdfIndisponible``) and the pages do not link to
them.

Printing takes about 2 s per portrait (a Chromium start each), so a build makes PDFs only when asked
(``ti-pipeline portraits --pdf``, or ``TI_PORTRAITS_PDF=1`` for the pipeline's asset): 183 portraits
would add minutes to every refresh. Two Chromium processes run side by side (``TRAVAILLEURS``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ENV_CHROMIUM = "TI_CHROMIUM"
ENV_PDF = "TI_PORTRAITS_PDF"
NOMS_CHROMIUM = ("chromium", "chromium-browser", "google-chrome")
TRAVAILLEURS = 2
DELAI = 120  # seconds for one page: a hung Chromium must not hang the build
ARGS = (
    "--headless",
    "--disable-gpu",
    "--no-pdf-header-footer",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


class PdfIndisponible(RuntimeError):
    """No Chromium to print with: the PDFs are skipped, the message says why."""


class PdfError(RuntimeError):
    """Chromium ran but did not write a PDF: names the page and what Chromium said."""


def pdf_demande(valeur: str | None = None) -> bool:
    """Whether ``TI_PORTRAITS_PDF`` asks for PDFs (1, true, yes, oui)."""
    v = os.environ.get(ENV_PDF, "") if valeur is None else valeur
    return v.strip().lower() in ("1", "true", "yes", "oui")


def chromium_executable() -> str:
    configure = os.environ.get(ENV_CHROMIUM)
    if configure:
        if shutil.which(configure):
            return str(shutil.which(configure))
        raise PdfIndisponible(f"{ENV_CHROMIUM}={configure} n'est pas un exécutable : PDF non produits")
    for nom in NOMS_CHROMIUM:
        chemin = shutil.which(nom)
        if chemin:
            return chemin
    raise PdfIndisponible(
        "Chromium est absent (ni chromium, ni chromium-browser, ni google-chrome sur le PATH ; "
        f"{ENV_CHROMIUM} peut le désigner) : les portraits sont publiés sans leur version PDF"
    )


def nom_pdf(nom_html: str) -> str:
    return nom_html.removesuffix(".html") + ".pdf"


def imprimer(chromium: str, html: Path, pdf: Path) -> float:
    """Print ``html`` to ``pdf`` (A4, from the page's print stylesheet); returns the seconds taken."""
    args = [chromium, *ARGS, f"--print-to-pdf={pdf}", html.resolve().as_uri()]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.insert(1, "--no-sandbox")  # Chromium refuses to run as root with its sandbox
    debut = time.perf_counter()
    try:
        fini = subprocess.run(args, capture_output=True, text=True, timeout=DELAI)
    except subprocess.TimeoutExpired:
        raise PdfError(f"{html.name} : Chromium n'a pas fini en {DELAI} s") from None
    duree = time.perf_counter() - debut
    if not pdf.is_file() or pdf.read_bytes()[:5] != b"%PDF-":
        dit = (fini.stderr or fini.stdout or "").strip().splitlines()[-3:]
        raise PdfError(f"{html.name} : pas de PDF écrit (code {fini.returncode}) ; Chromium : {' | '.join(dit)}")
    return duree


@dataclass
class Impression:
    durees: dict[str, float] = field(default_factory=dict)  # file name -> seconds
    secondes: float = 0.0  # wall time of the whole printing

    @property
    def par_portrait(self) -> float:
        return self.secondes / len(self.durees) if self.durees else 0.0


def imprimer_dossier(dossier: Path, noms_html: list[str], travailleurs: int = TRAVAILLEURS) -> Impression:
    """Print every page of ``noms_html`` in ``dossier`` next to it (``<id>.pdf``)."""
    chromium = chromium_executable()
    debut = time.perf_counter()
    with ThreadPoolExecutor(max_workers=travailleurs) as pool:
        durees = dict(
            zip(noms_html, pool.map(lambda n: imprimer(chromium, dossier / n, dossier / nom_pdf(n)), noms_html))
        )
    return Impression(durees=durees, secondes=time.perf_counter() - debut)
