"""Building every portrait and publishing the folder atomically.

``build_portraits(marts_dir, out_dir)`` reads the marts once, renders the index and one page per
territory, writes them into a new folder and publishes it with the project's one versioned-symlink
mechanism (``ti_pipeline.publication``, as the marts): ``out_dir`` is a relative symlink to
``<parent>/.<name>.versions/<version>/``, swapped with ``os.replace``. A reader sees the previous
pages or the new ones, never a half-written folder; a failed build leaves the previous pages
untouched; the 3 newest versions are kept (a page open in a browser keeps working through a rebuild).

What this module adds: the marker file that says what built a version, and refusing to replace a
folder the portraits did not write.
"""

from __future__ import annotations

import json
import shutil
import uuid
from typing import Callable
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


def build_portraits(marts_dir: Path, out_dir: Path, genere_le: datetime | None = None, pdf: bool = False) -> PortraitsBuild:
    """Read the published marts in ``marts_dir`` and publish every portrait into ``out_dir``;
    ``pdf``: each portrait is also printed to ``<id>.pdf`` (skipped, with ``pdf_message``, when no
    Chromium is found)."""
    marts = load_marts(Path(marts_dir))
    genere = (genere_le or datetime.now(timezone.utc)).isoformat(timespec="seconds")
    pdf_message = None
    if pdf:
        try:
            impression.chromium_executable()
        except impression.PdfIndisponible as exc:
            pdf, pdf_message = False, str(exc)
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


__all__ = ["PortraitsBuild", "PortraitsOutputError", "build_portraits", "publish_pages", "render_pages"]
