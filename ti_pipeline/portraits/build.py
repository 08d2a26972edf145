"""Building every portrait: into a build the next release links, or into a folder of one's own.

Both read the marts once and render the index, the glossary and one page per territory
(``render_pages``), and may print each portrait to PDF with the system Chromium (``pdf``):

- ``build_portraits_build(marts, builds)``, the pipeline's: from the audited builds of the marts (a
  mapping name -> folder), into a new immutable folder ``builds/portraits/<build>/`` that a release
  then links beside those marts (``ti_pipeline.releases``); the 3 newest builds are kept;
- ``build_portraits(marts_dir, out_dir)``, ``ti-pipeline portraits --out DIR``'s: from published marts,
  into a folder of the user's, published with the project's versioned-symlink mechanism
  (``ti_pipeline.publication``): ``out_dir`` is a relative symlink to ``.<name>.versions/<version>/``.

A failed build leaves what was there untouched. What this module adds: the marker file that says
what built a folder, and refusing to replace a folder the portraits did not write.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from typing import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from ti_pipeline import publication
from ti_pipeline.portraits import content, pdf as impression, render
from ti_pipeline.portraits.marts import Marts, load_marts

MARQUEUR = ".ti-portraits.json"  # written in every version folder: what built it, from which marts


class PortraitsOutputError(RuntimeError):
    """The output path holds something the portraits did not write: never overwrite it."""


@dataclass
class PortraitsBuild:
    out_dir: Path
    version_dir: Path
    territoires: list[str]
    synthetic: bool
    marts: dict[str, str] = field(default_factory=dict)  # mart -> version folder read
    marts_absents: dict[str, str] = field(default_factory=dict)
    pdf: impression.Impression | None = None  # the PDFs printed, with their times
    pdf_message: str | None = None  # why PDFs were asked for and not made

    @property
    def index(self) -> Path:
        return self.out_dir / "index.html"


def render_pages(marts: Marts, genere_le: str, pdf: bool = False) -> dict[str, str]:
    """File name -> HTML for the index and every territory of the composition mart; ``pdf``: the
    portraits link to their PDF."""
    ctx = render.contexte(marts, genere_le, pdf=pdf)
    pages = {"index.html": render.page_index(marts, ctx), render.FICHIER_GLOSSAIRE: render.page_glossaire(marts, ctx)}
    # each mart is split by territory once, on first use, and kept in ``marts`` (content.rows)
    for id_ti, _ in content.territoires(marts):
        pages[render.nom_fichier(id_ti)] = render.page_portrait(marts, id_ti, ctx)
    return pages


def _versions_dir(out_dir: Path) -> Path:
    return out_dir.parent / f".{out_dir.name}.versions"


def publish_pages(
    pages: dict[str, str], out_dir: Path, marqueur: dict | None = None, avant_publication: Callable[[Path], None] | None = None
) -> Path:
    """Write ``pages`` into a new version folder and point ``out_dir`` at it atomically;
    ``avant_publication(folder)`` adds files to the folder first (the PDFs)."""
    out_dir = Path(out_dir).absolute()
    if out_dir.exists() and not out_dir.is_symlink():
        _check_replaceable(out_dir)
    versions = _versions_dir(out_dir)
    versions.mkdir(parents=True, exist_ok=True)
    # written next to the versions (same file system, a name pruning skips), then renamed among them
    tmp = versions / f".tmp-{uuid.uuid4().hex}"
    try:
        tmp.mkdir()
        for file_name, html in pages.items():
            (tmp / file_name).write_text(html, encoding="utf-8")
        if avant_publication is not None:
            avant_publication(tmp)
        (tmp / MARQUEUR).write_text(json.dumps(marqueur or {}, ensure_ascii=False, indent=2), encoding="utf-8")
        return publication.publish_version(out_dir, versions, tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _check_replaceable(out_dir: Path) -> None:
    if not out_dir.is_dir():
        raise PortraitsOutputError(f"{out_dir} existe et n'est pas un dossier : les portraits ne l'écrasent pas")
    contenu = [p for p in out_dir.iterdir()]
    if contenu and not (out_dir / MARQUEUR).exists():
        raise PortraitsOutputError(
            f"{out_dir} contient des fichiers qui ne viennent pas des portraits : choisir un autre --out "
            "ou vider ce dossier"
        )


BUILDS_KEPT = 3


def _pdf_available(pdf: bool) -> tuple[bool, str | None]:
    """PDFs asked for, and a Chromium to print them; else why not."""
    if not pdf:
        return False, None
    try:
        impression.chromium_executable()
    except impression.PdfIndisponible as exc:
        return False, str(exc)
    return True, None


@dataclass
class _Rendu:
    """The pages of one build and what its marker file says."""

    marts: Marts
    pages: dict[str, str]
    marqueur: dict
    pdf: bool  # PDFs asked for and a Chromium found
    pdf_message: str | None

    @property
    def portraits(self) -> list[str]:
        return [render.nom_fichier(i) for i, _ in content.territoires(self.marts)]

    def build(self, out_dir: Path, version_dir: Path, imprime: list) -> PortraitsBuild:
        return PortraitsBuild(
            out_dir=out_dir, version_dir=version_dir, territoires=[i for i, _ in content.territoires(self.marts)],
            synthetic=self.marts.synthetic, marts=dict(self.marqueur["marts"]), marts_absents=dict(self.marts.missing),
            pdf=imprime[0] if imprime else None, pdf_message=self.pdf_message,
        )


def _render(marts: Marts, genere_le: datetime | None, pdf: bool) -> _Rendu:
    genere = (genere_le or datetime.now(timezone.utc)).isoformat(timespec="seconds")
    pdf, pdf_message = _pdf_available(pdf)
    pages = render_pages(marts, genere, pdf=pdf)
    marqueur = {
        "generated_at": genere,
        "synthetic": marts.synthetic,
        "marts": {n: str(m.version_dir) for n, m in marts.marts.items()},
        "marts_absents": marts.missing,
        "pages": sorted(pages),
        "pdf": bool(pdf),
    }
    return _Rendu(marts, pages, marqueur, pdf, pdf_message)


def build_portraits_build(
    marts_source: Mapping[str, Path], builds: Path, genere_le: datetime | None = None, pdf: bool = False
) -> PortraitsBuild:
    """Render every portrait from ``marts_source`` (mart -> folder) into a new folder of ``builds``;
    ``pdf``: each portrait printed to ``<id>.pdf`` too (skipped, with ``pdf_message``, without Chromium)."""
    rendu = _render(load_marts(marts_source), genere_le, pdf)
    builds = Path(builds)
    builds.mkdir(parents=True, exist_ok=True)
    tmp = builds / f".tmp-{uuid.uuid4().hex}"
    imprime: list[impression.Impression] = []
    try:
        tmp.mkdir()
        _write_pages(tmp, rendu, imprime)
        final = builds / publication.version_name()
        os.rename(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    publication.prune(builds, keep=[final], count=BUILDS_KEPT)
    return rendu.build(final, final, imprime)


def build_portraits(marts_dir: Path, out_dir: Path, genere_le: datetime | None = None, pdf: bool = False) -> PortraitsBuild:
    """Read the published marts in ``marts_dir`` and publish every portrait into ``out_dir``;
    ``pdf``: each portrait is also printed to ``<id>.pdf`` (skipped, with ``pdf_message``, when no
    Chromium is found)."""
    rendu = _render(load_marts(Path(marts_dir)), genere_le, pdf)
    imprime: list[impression.Impression] = []
    final = publish_pages(
        rendu.pages, Path(out_dir), rendu.marqueur,
        (lambda dossier: imprime.append(impression.imprimer_dossier(dossier, rendu.portraits))) if rendu.pdf else None,
    )
    return rendu.build(Path(out_dir).absolute(), final, imprime)


def _write_pages(folder: Path, rendu: _Rendu, imprime: list) -> None:
    """The pages, their PDFs when asked, then the marker file, into ``folder``."""
    for file_name, html in rendu.pages.items():
        (folder / file_name).write_text(html, encoding="utf-8")
    if rendu.pdf:
        imprime.append(impression.imprimer_dossier(folder, rendu.portraits))
    (folder / MARQUEUR).write_text(json.dumps(rendu.marqueur, ensure_ascii=False, indent=2), encoding="utf-8")


__all__ = ["PortraitsBuild", "PortraitsOutputError", "build_portraits", "build_portraits_build", "publish_pages", "render_pages"]
