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


def build_portraits_build(
    marts_source: Mapping[str, Path], builds: Path, genere_le: datetime | None = None, pdf: bool = False
) -> PortraitsBuild:
    """Render every portrait from ``marts_source`` (mart -> folder) into a new folder of ``builds``;
    ``pdf``: each portrait printed to ``<id>.pdf`` too (skipped, with ``pdf_message``, without Chromium)."""
    marts = load_marts(marts_source)
    genere = (genere_le or datetime.now(timezone.utc)).isoformat(timespec="seconds")
    pdf, pdf_message = _pdf_available(pdf)
    pages = render_pages(marts, genere, pdf=pdf)
    portraits = [render.nom_fichier(i) for i, _ in content.territoires(marts)]
    versions_lues = {n: str(m.version_dir) for n, m in marts.marts.items()}
    marqueur = {"generated_at": genere, "synthetic": marts.synthetic, "marts": versions_lues,
                "marts_absents": marts.missing, "pages": sorted(pages), "pdf": bool(pdf)}
    builds = Path(builds)
    builds.mkdir(parents=True, exist_ok=True)
    tmp = builds / f".tmp-{uuid.uuid4().hex}"
    imprime: list[impression.Impression] = []
    try:
        tmp.mkdir()
        for file_name, html in pages.items():
            (tmp / file_name).write_text(html, encoding="utf-8")
        if pdf:
            imprime.append(impression.imprimer_dossier(tmp, portraits))
        (tmp / MARQUEUR).write_text(json.dumps(marqueur, ensure_ascii=False, indent=2), encoding="utf-8")
        final = builds / publication.version_name()
        os.rename(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    publication.prune(builds, keep=[final], count=BUILDS_KEPT)
    return PortraitsBuild(
        out_dir=final, version_dir=final, territoires=[i for i, _ in content.territoires(marts)],
        synthetic=marts.synthetic, marts=versions_lues, marts_absents=dict(marts.missing),
        pdf=imprime[0] if imprime else None, pdf_message=pdf_message,
    )


def build_portraits(marts_dir: Path, out_dir: Path, genere_le: datetime | None = None, pdf: bool = False) -> PortraitsBuild:
    """Read the published marts in ``marts_dir`` and publish every portrait into ``out_dir``;
    ``pdf``: each portrait is also printed to ``<id>.pdf`` (skipped, with ``pdf_message``, when no
    Chromium is found)."""
    marts = load_marts(Path(marts_dir))
    genere = (genere_le or datetime.now(timezone.utc)).isoformat(timespec="seconds")
    pdf, pdf_message = _pdf_available(pdf)
    pages = render_pages(marts, genere, pdf=pdf)
    portraits = [render.nom_fichier(i) for i, _ in content.territoires(marts)]
    imprime: list[impression.Impression] = []
    versions_lues = {n: str(m.version_dir) for n, m in marts.marts.items()}
    marqueur = {
        "generated_at": genere,
        "synthetic": marts.synthetic,
        "marts": versions_lues,
        "marts_absents": marts.missing,
        "pages": sorted(pages),
        "pdf": bool(pdf),
    }
    final = publish_pages(
        pages, Path(out_dir), marqueur, (lambda dossier: imprime.append(impression.imprimer_dossier(dossier, portraits))) if pdf else None
    )
    return PortraitsBuild(
        out_dir=Path(out_dir).absolute(),
        version_dir=final,
        territoires=[i for i, _ in content.territoires(marts)],
        synthetic=marts.synthetic,
        marts=versions_lues,
        marts_absents=dict(marts.missing),
        pdf=imprime[0] if imprime else None,
        pdf_message=pdf_message,
    )


__all__ = ["PortraitsBuild", "PortraitsOutputError", "build_portraits", "build_portraits_build", "publish_pages", "render_pages"]
