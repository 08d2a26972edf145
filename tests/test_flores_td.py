"""Flores millésimes 2017-2021, the A17 "tableaux détaillés" (source ``flores_a17_td``): their wide
layout read and validated, the long series of industrial posts since 2017 recomputed by hand across
three Flores vintages, live mode through a local HTTP server, and bad input named and set aside."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import sample_files as files
from http_server import local_server, mirrored  # noqa: F401 - fixtures
from test_marts import indicateurs, row  # noqa: F401  (module fixture shared with test_marts)
from test_run_safety import _rows, _sample, _ti
from ti_pipeline.config import Paths
from ti_pipeline.ingest.obtain import obtain
from ti_pipeline.sources import catalog
from ti_pipeline.sources.download import DownloadSettings, RetryPolicy
from ti_pipeline.sources.hosts import release_url_env
from ti_pipeline.sources.locate import SourceUnavailable
from ti_pipeline.sources.readers import read_release
from ti_pipeline.validation import SchemaDriftError, validate

SOURCE = catalog.FLORES_A17_TD
INDUSTRIE_A17 = [f"EFF_{c}" for c in catalog.FLORES_A17_CODES if c in ("C1", "C2", "C3", "C4", "C5", "DE")]
FAST = DownloadSettings(connect_timeout=2.0, read_timeout=1.0, retry=RetryPolicy(attempts=2, backoff=0.01, jitter=0.0))


def _member(release) -> str:
    return release.file_name.removesuffix("_CSV.zip").removesuffix("_csv.zip") + ".csv"


def _td(millesime: int) -> pd.DataFrame:
    """A table of the sample as a reader would see it by hand: CODGEO as text, cells as numbers
    (an empty cell: NaN), the commune of COG 2025 beside."""
    release = SOURCE.release(millesime)
    df = files.zip_csv(catalog.sample_path(files.SAMPLE, SOURCE, release), _member(release), sep=";")
    eff = [c for c in df.columns if c.startswith("EFF_")]
    df[eff] = df[eff].apply(pd.to_numeric)
    df["commune"] = files.to_2025(df["CODGEO"], release.cog_year)
    return df


def _td_industrie(id_ti: str, millesime: int) -> float:
    df = _td(millesime)
    return float(df.loc[df["commune"].isin(files.members_2025(id_ti)), INDUSTRIE_A17].sum().sum())


def _zip(path: Path, member: str, text: str) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(member, text.encode("utf-8"))
    return path


# --- the real layout -----------------------------------------------------------------------------


def test_every_sample_table_is_read_and_validated_without_rejects():
    for release in SOURCE.releases:
        path = catalog.sample_path(files.SAMPLE, SOURCE, release)
        read = read_release(SOURCE, release, path)
        assert read.info["separator"] == ";"
        result = validate(SOURCE, release.millesime, read.frame, file_name=release.file_name,
                          all_columns=read.info.get("all_columns"))
        assert result.rows_rejected == 0, result.rejects.to_string()
        assert result.rows_valid == len(read.frame) > 300
        assert result.added_columns == []
        v = result.valid
        # the total is every activity's posts: equal to the sum of the columns where none is empty
        whole = v[[f"EFF_{c}" for c in catalog.FLORES_A17_CODES]].notna().all(axis=1)
        assert whole.sum() > 0.8 * len(v)
        summed = v.loc[whole, [f"EFF_{c}" for c in catalog.FLORES_A17_CODES]].sum(axis=1)
        assert (summed == v.loc[whole, "EFF_TOT"]).all()


def test_a_label_column_and_the_size_band_columns_are_tolerated(tmp_path):
    """LIBGEO (not seen, tolerated) and the per-band columns of the TREF tables (known, ignored)."""
    release = SOURCE.release(2019)
    codes = catalog.FLORES_A17_CODES
    header = ["CODGEO", "LIBGEO", "EFF_TOT", *[f"EFF_{c}" for c in codes], "EFF_C1_1T9", "EFF_C1_10P"]
    line = ["01004", "Ambérieu-en-Bugey", "17", *["1"] * len(codes), "1", "0"]
    text = ";".join(header) + "\n" + ";".join(line) + "\n"
    path = _zip(tmp_path / release.file_name, _member(release), text)
    read = read_release(SOURCE, release, path)
    result = validate(SOURCE, 2019, read.frame, file_name=release.file_name, all_columns=read.info.get("all_columns"))
    assert result.rows_valid == 1 and result.rows_rejected == 0
    assert set(result.ignored_columns) == {"EFF_C1_1T9", "EFF_C1_10P"} and result.added_columns == []


# --- the long series by hand across three Flores vintages ------------------------------------------


def test_industrial_posts_since_2017_by_hand_across_three_vintages(indicateurs):  # noqa: F811
    """ti-8402's industrial posts read by hand from the A17 tables 2017 and 2019 (C1-C5 + DE) and the
    A38 vintage 2024 (BZ..EZ), and the changes 2017 -> 2024 and 2019 -> 2024 (5 years) computed from
    them: the series joins the two layouts."""
    level = {
        2017: _td_industrie("ti-8402", 2017),
        2019: _td_industrie("ti-8402", 2019),
        2024: files.flores_industrie("ti-8402", 2024, millesime=2024),
    }
    for year, value in level.items():
        r = row(indicateurs, "ti-8402", "postes_salaries_industrie", year)
        assert value > 0 and r.valeur == pytest.approx(value), year
        assert r.millesime == year
    since = row(indicateurs, "ti-8402", "evol_postes_industrie_flores", 2024)
    assert since.annee_base == 2017
    assert since.valeur == pytest.approx(level[2024] / level[2017] - 1)
    five = row(indicateurs, "ti-8402", "evol_postes_industrie_flores_5a", 2024)
    assert five.annee_base == 2019
    assert five.valeur == pytest.approx(level[2024] / level[2019] - 1)
    assert five.valeur_france is not None and five.valeur_region is not None
    # 2021 is in the A17 table 2021 and the A38 vintage 2022: the newer is taken
    assert row(indicateurs, "ti-8402", "postes_salaries_industrie", 2021).millesime == 2022
    # no change over 10 years: the Flores series starts in 2017
    years = indicateurs.loc[(indicateurs.id_ti == "ti-8402") & (indicateurs.code_indicateur == "evol_postes_industrie_flores_5a"), "annee"]
    assert sorted(years) == [2022, 2023, 2024]


# --- live mode -----------------------------------------------------------------------------------


def test_live_mode_reads_the_tables_from_a_local_server(mirrored, monkeypatch, tmp_path):  # noqa: F811
    """2017 from its catalog URL (insee.fr, mirrored), 2018-2021 from the URL a user configures
    (their Insee page is not known); without it, a vintage is unavailable and the message says
    which variable to set."""
    paths = Paths(data_dir=tmp_path / "data", sample_dir=files.SAMPLE)
    with pytest.raises(SourceUnavailable, match=release_url_env(SOURCE, 2018)):
        obtain(SOURCE, SOURCE.release(2018), paths, "live", settings=FAST)
    for name, value in mirrored.publish_catalog(files.SAMPLE, sources=[SOURCE]).items():
        monkeypatch.setenv(name, value)
    for release in SOURCE.releases:
        got = obtain(SOURCE, release, paths, "live", settings=FAST)
        assert got.path.read_bytes() == catalog.sample_path(files.SAMPLE, SOURCE, release).read_bytes()
        assert got.provenance["url"].startswith(mirrored.base_url)
        read = read_release(SOURCE, release, got.path)
        assert validate(SOURCE, release.millesime, read.frame, file_name=release.file_name).rows_rejected == 0
    assert mirrored.hits("/fr/statistiques/fichier/4991205/TD_FLORES2017_NA17_TREF_NBSAL_CSV.zip")


# --- bad input -----------------------------------------------------------------------------------


def _sample_text(millesime: int) -> str:
    release = SOURCE.release(millesime)
    with zipfile.ZipFile(catalog.sample_path(files.SAMPLE, SOURCE, release)) as zf:
        return zf.read(_member(release)).decode("utf-8")


def test_a_missing_industry_column_stops_the_vintage_naming_it(tmp_path):
    release = SOURCE.release(2019)
    df = pd.read_csv(io.StringIO(_sample_text(2019)), sep=";", dtype=str, keep_default_na=False)
    path = _zip(tmp_path / release.file_name, _member(release), df.drop(columns=["EFF_C3"]).to_csv(sep=";", index=False))
    read = read_release(SOURCE, release, path)
    with pytest.raises(SchemaDriftError) as err:
        validate(SOURCE, 2019, read.frame, file_name=release.file_name, all_columns=read.info.get("all_columns"))
    message = str(err.value)
    for said in ("'flores_a17_td'", release.file_name, "millésime 2019", "EFF_C3"):
        assert said in message, (said, message)


def test_a_non_numeric_cell_is_a_reject_naming_column_and_value(tmp_path):
    release = SOURCE.release(2019)
    lines = _sample_text(2019).splitlines(keepends=True)
    header = lines[0].rstrip("\n").split(";")
    cells = lines[1].rstrip("\n").split(";")
    cells[header.index("EFF_C5")] = "n.d."
    lines[1] = ";".join(cells) + "\n"
    path = _zip(tmp_path / release.file_name, _member(release), "".join(lines))
    read = read_release(SOURCE, release, path)
    result = validate(SOURCE, 2019, read.frame, file_name=release.file_name, all_columns=read.info.get("all_columns"))
    assert result.rows_rejected == 1 and result.rows_valid == len(lines) - 2
    reason = result.rejects.to_string()
    assert "EFF_C5" in reason and "n.d." in reason, reason


def test_a_broken_table_blocks_its_vintage_and_keeps_the_published_marts(tmp_path):
    """End to end: a good run, then the 2019 table loses a column: the run fails naming source, file
    and column, and the marts stay those of the good run."""
    _sample(tmp_path)
    assert _ti(tmp_path).returncode == 0
    marts = _rows(tmp_path / "data" / "marts")
    release = SOURCE.release(2019)
    path = catalog.sample_path(tmp_path / "sample", SOURCE, release)
    df = pd.read_csv(io.StringIO(_sample_text(2019)), sep=";", dtype=str, keep_default_na=False)
    _zip(path, _member(release), df.drop(columns=["EFF_C3"]).to_csv(sep=";", index=False))
    done = _ti(tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    said = done.stdout + done.stderr
    assert "Traceback" not in said
    for part in ("flores_a17_td", release.file_name, "EFF_C3"):
        assert part in said, (part, said[-3000:])
    assert _rows(tmp_path / "data" / "marts") == marts
