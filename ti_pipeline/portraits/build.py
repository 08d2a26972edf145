"""Building every portrait and publishing the folder atomically.

``build_portraits(marts_dir, out_dir)`` reads the marts once, renders the index and one page per
territory into a new version folder, then swaps it in: ``out_dir`` is a symlink to
``<parent>/.<name>.versions/<version>/`` replaced with ``os.replace`` (atomic on POSIX), the same
scheme as the marts. A reader sees the previous pages or the new ones, never a half-written folder;
a failed build leaves the previous pages untouched. Symlink targets are relative, so the data folder
can be moved or copied whole. The 3 newest versions are kept (a page open in a browser keeps working
through one rebuild).
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from ti_pipeline.portraits import content, render
from ti_pipeline.portraits.marts import Marts, load_marts

MARQUEUR = ".ti-portraits.json"  # written in every version folder: what built it, from which marts
VERSIONS_GARDEES = 3


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

    @property
    def index(self) -> Path:
        return self.out_dir / "index.html"


def render_pages(marts: Marts, genere_le: str) -> dict[str, str]:
    """File name -> HTML for the index and every territory of the composition mart."""
    ctx = render.contexte(marts, genere_le)
    pages = {"index.html": render.page_index(marts, ctx)}
    # each mart is split by territory once, on first use, and kept in ``marts`` (content.py)
    for id_ti, _ in content.territoires(marts):
        pages[render.nom_fichier(id_ti)] = render.page_portrait(marts, id_ti, ctx)
    return pages


def _versions_dir(out_dir: Path) -> Path:
    return out_dir.parent / f".{out_dir.name}.versions"


def publish_pages(pages: dict[str, str], out_dir: Path, marqueur: dict | None = None) -> Path:
    """Write ``pages`` into a new version folder and point ``out_dir`` at it atomically."""
    out_dir = Path(out_dir).absolute()
    versions = _versions_dir(out_dir)
    versions.mkdir(parents=True, exist_ok=True)
    if out_dir.exists() and not out_dir.is_symlink():
        _check_replaceable(out_dir)

    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    name = f"{stamp}-{uuid.uuid4().hex[:8]}"
    tmp = versions / f".tmp-{name}"
    try:
        tmp.mkdir()
        for file_name, html in pages.items():
            (tmp / file_name).write_text(html, encoding="utf-8")
        (tmp / MARQUEUR).write_text(json.dumps(marqueur or {}, ensure_ascii=False, indent=2), encoding="utf-8")
        final = versions / name
        os.rename(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise

    link_tmp = out_dir.parent / f".{out_dir.name}.link-{uuid.uuid4().hex[:8]}"
    os.symlink(os.path.relpath(final, out_dir.parent), link_tmp)
    if out_dir.exists() and not out_dir.is_symlink():
        # a real folder (empty, or pages from an older layout): moved aside once, then the symlink
        os.rename(out_dir, versions / f"ancien-{name}")
    os.replace(link_tmp, out_dir)
    _prune(versions, keep=final)
    return final


def _check_replaceable(out_dir: Path) -> None:
    if not out_dir.is_dir():
        raise PortraitsOutputError(f"{out_dir} existe et n'est pas un dossier : les portraits ne l'écrasent pas")
    contenu = [p for p in out_dir.iterdir()]
    if contenu and not (out_dir / MARQUEUR).exists():
        raise PortraitsOutputError(
            f"{out_dir} contient des fichiers qui ne viennent pas des portraits : choisir un autre --out "
            "ou vider ce dossier"
        )


def _prune(versions: Path, keep: Path) -> None:
    dirs = sorted((p for p in versions.iterdir() if p.is_dir() and not p.name.startswith(".")), key=lambda p: p.name)
    anciens = [p for p in dirs if p.name.startswith("ancien-")]
    courants = [p for p in dirs if not p.name.startswith("ancien-")]
    for p in anciens + courants[:-VERSIONS_GARDEES]:
        if p != keep:
            shutil.rmtree(p, ignore_errors=True)


def build_portraits(marts_dir: Path, out_dir: Path, genere_le: datetime | None = None) -> PortraitsBuild:
    """Read the published marts in ``marts_dir`` and publish every portrait into ``out_dir``."""
    marts = load_marts(Path(marts_dir))
    genere = (genere_le or datetime.now(timezone.utc)).isoformat(timespec="seconds")
    pages = render_pages(marts, genere)
    versions_lues = {n: str(m.version_dir) for n, m in marts.marts.items()}
    marqueur = {
        "generated_at": genere,
        "synthetic": marts.synthetic,
        "marts": versions_lues,
        "marts_absents": marts.missing,
        "pages": sorted(pages),
    }
    final = publish_pages(pages, Path(out_dir), marqueur)
    return PortraitsBuild(
        out_dir=Path(out_dir).absolute(),
        version_dir=final,
        territoires=[i for i, _ in content.territoires(marts)],
        synthetic=marts.synthetic,
        marts=versions_lues,
        marts_absents=dict(marts.missing),
    )


__all__ = ["PortraitsBuild", "PortraitsOutputError", "build_portraits", "publish_pages", "render_pages"]
