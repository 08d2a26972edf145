"""The tables a model's SQL reads, remembered on disk by the SQL's hash.

Every process that loads the SQL project (the command line, the Dagster UI's code server, each
step's process with the multiprocess executor) used to parse the 39 models with sqlglot to find
their dependencies: importing sqlglot and parsing took 0.3-0.6 s of each. The answer depends only on the SQL text, the parsing code
(``sql_parsing``) and sqlglot's release, so it is remembered in a JSON file under those three
(``data/cache/sql_references.json``): a model whose SQL changed, or any model after an upgrade of
sqlglot or a change of ``sql_parsing``, is parsed again. SQL that does not parse is never
remembered (its error is raised again each time). An unreadable or foreign memo file is ignored
and rewritten.

sqlglot is imported only when something must be parsed.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import uuid
from functools import lru_cache
from pathlib import Path

from ti_pipeline.sql_runner import sql_parsing  # cheap: it imports sqlglot only to parse
from ti_pipeline.sql_runner.sql_parsing import SqlParseError  # noqa: F401 - the error ``references`` raises

FORMAT = 1


@lru_cache(maxsize=1)
def parser_version() -> str:
    """What a parse result depends on besides the SQL: ``sql_parsing``'s code and sqlglot's
    release (its ``_version.py``, read without importing sqlglot)."""
    h = hashlib.sha256((Path(__file__).with_name("sql_parsing.py")).read_bytes())
    spec = importlib.util.find_spec("sqlglot")
    origin = Path(spec.origin) if spec and spec.origin else None
    version_file = origin.with_name("_version.py") if origin else None
    if version_file and version_file.is_file():
        h.update(b"\0" + version_file.read_bytes())
    else:  # no version file: the installed distribution's version (slower to find)
        from importlib.metadata import version

        h.update(b"\0" + version("sqlglot").encode())
    return h.hexdigest()


class ReferencesMemo:
    """``references(sql)`` for one project load; ``save()`` writes what was parsed anew."""

    def __init__(self, path: Path | None):
        self.path = Path(path) if path else None
        self.parsed = 0  # queries parsed by this load (not found in the memo)
        self._known: dict[str, list[str]] = self._read()
        self._new = False

    def _read(self) -> dict[str, list[str]]:
        if self.path is None:
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("parser") != parser_version():
            return {}
        known = data.get("references")
        return known if isinstance(known, dict) else {}

    def references(self, sql: str) -> list[str]:
        """The tables ``sql`` reads (``sql_parsing.table_references``). Raises ``SqlParseError``."""
        key = hashlib.sha256(sql.encode("utf-8")).hexdigest()
        known = self._known.get(key)
        if isinstance(known, list):
            return list(known)
        found = sql_parsing.table_references(sql_parsing.parse_query(sql))
        self.parsed += 1
        self._known[key] = found
        self._new = True
        return list(found)

    def save(self) -> None:
        """Write the memo when this load parsed something (atomically: a concurrent load reads the
        old file or this one). A memo that cannot be written is not an error: it is only a memo."""
        if self.path is None or not self._new:
            return
        data = {"format": FORMAT, "parser": parser_version(), "references": self._known}
        tmp = self.path.with_name(f".{self.path.name}.{uuid.uuid4().hex[:8]}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(data, sort_keys=True), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:
            tmp.unlink(missing_ok=True)


__all__ = ["ReferencesMemo", "SqlParseError", "parser_version"]
