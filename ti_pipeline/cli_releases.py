"""``ti-pipeline releases``: list the published releases, show, compare, roll back, pin.

    ti-pipeline releases                      list them (newest first; * = current, P = pinned)
    ti-pipeline releases show [ID]            one release's manifest, summarised (default: current)
    ti-pipeline releases diff [OLD [NEW]]     what changed (default: the previous release -> current)
    ti-pipeline releases rollback [ID]        make ID current again (default: the one before current)
    ti-pipeline releases pin ID | unpin ID    keep ID whatever the pruning (a reader's snapshot)

An id may be shortened to any unique prefix. Plain functions over ``ti_pipeline.releases``.
"""

from __future__ import annotations

import argparse
import sys

from ti_pipeline.config import get_paths


def _store():
    from ti_pipeline.releases import store

    return store


def _line(release, current, pins) -> str:
    store = _store()
    m = store.read_manifest(release)
    resources = m.get("resources", [])
    rows = sum(r.get("ti:row_count") or 0 for r in resources)
    checks = m.get("ti:checks", {})
    flags = ("*" if release == current else " ") + ("P" if release.name in pins else " ")
    synthetic = " sample" if m.get("ti:synthetic") else ""
    return (f"{flags} {release.name}  {m.get('created', '?')}  {len(resources)} marts, {rows:,} rows, "
            f"{len(m.get('sources', []))} source files, tests {checks.get('passed', '?')}/{checks.get('tests', '?')}"
            f"{synthetic}")


def cmd_list(args) -> int:
    store, paths = _store(), get_paths()
    releases = store.release_dirs(paths)
    if not releases:
        print(f"No release in {paths.releases} yet: `ti-pipeline run` publishes the first one.")
        return 0
    current, pins = store.current_release(paths), store.pinned(paths)
    for r in releases:
        print(_line(r, current, pins))
    print(f"(* current: {paths.releases / store.CURRENT}; readers open {paths.marts}, {paths.catalog_db}, "
          f"{paths.portraits}; a pinned release is at {paths.releases}/<id>)")
    return 0


def _pick(paths, given: str | None, default_offset: int):
    """A release by id, or by its place relative to the current one (0: current, 1: the one before)."""
    store = _store()
    if given:
        return store.find_release(paths, given)
    releases = store.release_dirs(paths)
    current = store.current_release(paths)
    if current is None or current not in releases:
        raise store.ReleaseError(f"no current release in {paths.releases}")
    i = releases.index(current) + default_offset
    if i >= len(releases):
        raise store.ReleaseError(f"no release before {current.name} in {paths.releases}")
    return releases[i]


def cmd_show(args) -> int:
    store, paths = _store(), get_paths()
    release = _pick(paths, args.id, 0)
    m = store.read_manifest(release)
    print(f"Release {release.name} ({release}), created {m.get('created')}, mode {m.get('ti:mode')}, "
          f"code {m.get('ti:code', {}).get('git_commit', m.get('ti:code', {}).get('sha256', '?'))[:12]}")
    for r in m.get("resources", []):
        failed = [t["name"] for t in r.get("ti:tests", []) if not t.get("passed")]
        print(f"  {r['name']:<24} {r.get('ti:row_count', 0):>10,} rows  schema {r.get('ti:schema_hash', '')[:12]}"
              + (f"  warnings: {', '.join(failed)}" if failed else ""))
    print("Sources:")
    for s in m.get("sources", []):
        print(f"  {s.get('ti:source')} {s.get('ti:millesime')}: {s.get('ti:file_name')} sha256 {str(s.get('ti:sha256'))[:12]}"
              f" ({s.get('ti:checks', {}).get('rows_valid')} rows valid, {s.get('ti:checks', {}).get('rows_rejected')} rejected)")
    print(f"Manifest: {release / store.MANIFEST}")
    return 0


def cmd_diff(args) -> int:
    from ti_pipeline.releases.diff import diff_releases, format_diff

    paths = get_paths()
    new = _pick(paths, args.new, 0)
    old = _pick(paths, args.old, 1)
    print(format_diff(diff_releases(old, new, limit=args.top)))
    return 0


def cmd_rollback(args) -> int:
    store, paths = _store(), get_paths()
    current = store.current_release(paths)
    target = _pick(paths, args.id, 1)
    store.make_current(paths, target)
    print(f"Current release: {target.name} (was {current.name if current else 'none'}). Readers see it now. "
          "The next `ti-pipeline run` publishes a new release again if the builds differ from it.")
    return 0


def cmd_pin(args) -> int:
    store, paths = _store(), get_paths()
    release = store.pin(paths, args.id, on=args.func is cmd_pin)
    print(f"{'Pinned' if args.func is cmd_pin else 'Unpinned'} {release.name} ({release})")
    return 0


def cmd_unpin(args) -> int:
    return cmd_pin(args)


def add_parser(sub) -> None:
    """The ``releases`` sub-command and its own sub-commands."""
    releases = sub.add_parser(
        "releases", help="list, show, compare, roll back or pin the published releases",
        description=__doc__.split("\n\n")[0] + "\n\n" + __doc__.split("\n\n")[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    releases.set_defaults(func=cmd_list)
    inner = releases.add_subparsers(dest="releases_command", metavar="ACTION")
    inner.add_parser("list", help="the releases, newest first").set_defaults(func=cmd_list)
    show = inner.add_parser("show", help="one release's manifest, summarised")
    show.add_argument("id", nargs="?", help="release id or prefix (default: current)")
    show.set_defaults(func=cmd_show)
    diff = inner.add_parser("diff", help="rows per mart, sources updated, indicator values that moved most")
    diff.add_argument("old", nargs="?", help="the older release (default: the one before current)")
    diff.add_argument("new", nargs="?", help="the newer release (default: current)")
    diff.add_argument("--top", type=int, default=10, help="how many moved indicator values (default 10)")
    diff.set_defaults(func=cmd_diff)
    rollback = inner.add_parser("rollback", help="make an earlier release current again")
    rollback.add_argument("id", nargs="?", help="release id or prefix (default: the one before current)")
    rollback.set_defaults(func=cmd_rollback)
    pin = inner.add_parser("pin", help="never prune this release")
    pin.add_argument("id")
    pin.set_defaults(func=cmd_pin)
    unpin = inner.add_parser("unpin", help="let this release be pruned again")
    unpin.add_argument("id")
    unpin.set_defaults(func=cmd_unpin)


def run(args) -> int:
    """Run a ``releases`` action; a release that does not exist is one line, exit 2."""
    from ti_pipeline.releases.store import ReleaseError

    try:
        return args.func(args)
    except ReleaseError as exc:
        print(f"ti-pipeline releases: {exc}", file=sys.stderr)
        return 2


__all__ = ["add_parser", "run"]
