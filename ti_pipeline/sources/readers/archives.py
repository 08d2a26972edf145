"""Zip archives: the member a release names, extracted safely.

What belongs here: choosing the member by the catalog's regex (``release.member``), refusing path
traversal and zip bombs (declared and real sizes, compression ratio), and telling an xlsx workbook
served instead of the zip around it.

Not here: reading the extracted file (the format modules), the errors' definitions (``common``).
"""

from __future__ import annotations

import os
import re
import tempfile
import zipfile
import zlib
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Iterator

from ti_pipeline.sources.catalog import Release, Source
from ti_pipeline.sources.readers.common import SourceFormatError, UnsafeArchiveError, raise_not_data

# Zip guards. The largest real member (Flores A38 CSV) is ~219 MB from a 21 MB zip (ratio ~10);
# highly repetitive CSVs compress better, so the ratio limit is generous. Both can be raised by
# environment variable for an unusual file instead of editing code.
MAX_MEMBER_BYTES = int(os.environ.get("TI_ZIP_MAX_MEMBER_BYTES", 8 * 1024**3))
MAX_COMPRESSION_RATIO = float(os.environ.get("TI_ZIP_MAX_RATIO", 200))



def is_zip(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(4) == b"PK\x03\x04"


def is_ole2(path: Path) -> bool:
    """An Excel 97 (xls, BIFF8) workbook is an OLE2 compound document."""
    with open(path, "rb") as f:
        return f.read(8) == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _is_xlsx_package(path: Path) -> bool:
    if not is_zip(path):
        return False
    try:
        with zipfile.ZipFile(path) as zf:
            return "xl/workbook.xml" in zf.namelist()
    except zipfile.BadZipFile:
        return False


@contextmanager
def opened_member(source: Source, release: Release, path: Path, info: dict) -> Iterator[tuple[Path, str]]:
    """Yield the path of the data file: ``path`` itself, or its chosen zip member extracted.

    An xlsx is itself a zip: it is only unpacked as an archive when the release names a member.
    """
    wants_archive = release.member is not None or path.suffix.lower() == ".zip"
    if wants_archive and source.fmt_of(release) == "xlsx" and _is_xlsx_package(path):
        # The publisher served the workbook itself instead of the zip around it: read it as is.
        info["member"] = None
        info["unzipped_workbook"] = True
        yield path, str(path)
        return
    if not wants_archive or not is_zip(path):
        if wants_archive and path.suffix.lower() == ".zip":
            raise_not_data(source, path, "a zip archive", path)
        yield path, str(path)
        return
    with tempfile.TemporaryDirectory(prefix="ti-zip-") as tmp:
        member_path, member = extract_member(source, release, path, Path(tmp))
        info["member"] = member
        yield member_path, f"{path}!{member}"


def extract_member(source: Source, release: Release, path: Path, dest_dir: Path) -> tuple[Path, str]:
    """Extract the member of the zip at ``path`` matching ``release.member`` into ``dest_dir``.

    Returns the extracted file and the member's name in the archive. The file is written under a
    name this function chooses (the member's base name), so a hostile member name cannot write
    elsewhere; such names are refused anyway because they reveal a tampered archive.
    """
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise SourceFormatError(source.name, path, f"not a readable zip archive ({exc})") from None
    with zf:
        files = [i for i in zf.infolist() if not i.is_dir()]
        names = [i.filename for i in files]
        if release.member is None:
            matches = files if len(files) == 1 else []
            rule = "a single member (the catalog gives no member pattern)"
        else:
            rx = re.compile(release.member)
            matches = [i for i in files if rx.search(i.filename)]
            rule = f"member pattern {release.member!r}"
        if len(matches) != 1:
            found = "no member" if not matches else f"{len(matches)} members ({[m.filename for m in matches]})"
            raise SourceFormatError(
                source.name, path, f"{found} match {rule}; the archive holds: {names}"
            )
        member = matches[0]
        _check_member_safe(source, path, member)
        target = dest_dir / PurePosixPath(member.filename.replace("\\", "/")).name
        written = 0
        try:
            with zf.open(member) as src, open(target, "wb") as dst:
                while chunk := src.read(1024 * 1024):
                    written += len(chunk)
                    # The declared size can lie: count what really comes out of the stream.
                    if written > member.file_size or written > MAX_MEMBER_BYTES:
                        raise UnsafeArchiveError(
                            source.name,
                            path,
                            f"member {member.filename!r} expands beyond its declared size "
                            f"({member.file_size} bytes) or the {MAX_MEMBER_BYTES}-byte limit: refusing a possible zip bomb",
                        )
                    dst.write(chunk)
        except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
            raise SourceFormatError(source.name, path, f"member {member.filename!r} is corrupt ({exc})") from None
        return target, member.filename


def _check_member_safe(source: Source, path: Path, member: zipfile.ZipInfo) -> None:
    name = member.filename.replace("\\", "/")
    parts = PurePosixPath(name).parts
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name) or ".." in parts:
        raise UnsafeArchiveError(
            source.name, path, f"member {member.filename!r} has an unsafe path (absolute or with '..'): refusing it"
        )
    if member.file_size > MAX_MEMBER_BYTES:
        raise UnsafeArchiveError(
            source.name,
            path,
            f"member {member.filename!r} declares {member.file_size} bytes, above the {MAX_MEMBER_BYTES}-byte "
            "limit (TI_ZIP_MAX_MEMBER_BYTES)",
        )
    ratio = member.file_size / max(member.compress_size, 1)
    if member.file_size > 1024 * 1024 and ratio > MAX_COMPRESSION_RATIO:
        raise UnsafeArchiveError(
            source.name,
            path,
            f"member {member.filename!r} has a compression ratio of {ratio:.0f} (limit {MAX_COMPRESSION_RATIO:.0f}, "
            "TI_ZIP_MAX_RATIO): refusing a possible zip bomb",
        )
