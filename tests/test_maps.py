"""Maps, end to end on the embedded sample: the commune boundaries source, the territory outlines
mart (the union of each territory's communes, GeoParquet conventions DuckDB recognises), the
portraits' map listing every commune of the territory, the index's clickable map; and the GeoJSON
reader's refusals. Figures are recomputed here from the lake's GeoJSON text and the composition mart
read with DuckDB, independently of ``ti_pipeline.geo``.
"""

from __future__ import annotations

import gzip
import json
import re
from html.parser import HTMLParser

import duckdb
import pyarrow.parquet as pq
import pytest
import shapely

import sample_files as files
from ti_pipeline.geo.contours import ContoursError, lire_communes
from ti_pipeline.sources.catalog import COMMUNES_CONTOURS
from ti_pipeline.sources.readers import SourceFormatError, read_release
from ti_pipeline.sources.readers import geojson as geojson_reader

RELEASE = COMMUNES_CONTOURS.releases[0]


def composition(paths) -> dict[str, set[str]]:
    rows = duckdb.sql(f"select id_ti, code_commune from read_parquet('{paths.marts / 'mart_ti_composition'}/**/*.parquet')").fetchall()
    out: dict[str, set[str]] = {}
    for id_ti, code in rows:
        out.setdefault(id_ti, set()).add(code)
    return out


def shapes_from_lake(paths) -> dict[str, shapely.Geometry]:
    raw = duckdb.sql(f"select code, geometry from read_parquet('{paths.raw / 'communes_contours'}/*/data.parquet')").fetchall()
    return {code: shapely.make_valid(shapely.from_geojson(text)) for code, text in raw}


def test_sample_file_is_the_live_format_with_the_sample_communes():
    path = files.SAMPLE / "contours" / str(RELEASE.millesime) / RELEASE.file_name
    assert path.stat().st_size < 1_000_000
    with gzip.open(path, "rt", encoding="utf-8") as f:
        doc = json.load(f)
    assert doc["type"] == "FeatureCollection" and len(doc["features"]) == 372
    assert set(doc["features"][0]["properties"]) == {"code", "nom", "departement", "region"}
    assert {f["geometry"]["type"] for f in doc["features"]} <= {"Polygon", "MultiPolygon"}


def test_outline_is_the_union_of_its_communes(sample_run):
    shapes = shapes_from_lake(sample_run)
    comp = composition(sample_run)
    table = pq.read_table(sample_run.marts / "mart_ti_contours")
    assert sorted(table["id_ti"].to_pylist()) == sorted(comp)
    for row in table.to_pylist():
        union = shapely.union_all([shapes[c] for c in comp[row["id_ti"]]])
        outline = shapely.from_wkb(row["geometry"])
        assert row["nb_communes"] == len(comp[row["id_ti"]]) and row["nb_communes_sans_contour"] == 0
        assert abs(outline.area / union.area - 1) < 0.001, row["id_ti"]
        # the same place, not only the same area
        assert shapely.symmetric_difference(outline, union).area / union.area < 0.002, row["id_ti"]


def test_outlines_follow_geoparquet_and_duckdb_reads_them_as_geometry(sample_run):
    for mart in ("mart_ti_contours", "mart_communes_contours"):
        path = next((sample_run.marts / mart).resolve().glob("*.parquet"))
        geo = json.loads(pq.read_schema(path).metadata[b"geo"])
        col = geo["columns"][geo["primary_column"]]
        assert geo["version"] == "1.1.0" and col["encoding"] == "WKB"
        assert set(col["geometry_types"]) <= {"Polygon", "MultiPolygon"}
        assert col["crs"]["id"] == {"authority": "OGC", "code": "CRS84"}
        kind = duckdb.sql(f"select typeof(geometry) from read_parquet('{path}') limit 1").fetchall()[0][0]
        assert kind == "GEOMETRY('OGC:CRS84')", kind
    communes = pq.read_table(sample_run.marts / "mart_communes_contours").to_pylist()
    dedans = {c for codes in composition(sample_run).values() for c in codes}
    assert {r["code_commune"] for r in communes if r["dans_un_territoire"]} == dedans


class SvgPaths(HTMLParser):
    """The titles of the paths of one svg (by class) and the links around them."""

    def __init__(self, svg_class: str):
        super().__init__()
        self.svg_class, self.depth, self.in_title = svg_class, 0, False
        self.paths: list[dict] = []
        self.href: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "svg" and self.svg_class in (a.get("class") or "").split():
            self.depth = 1
        elif self.depth and tag == "a":
            self.href = a.get("href")
        elif self.depth and tag == "path" and a.get("class"):
            self.paths.append({"class": a["class"], "code": a.get("data-code"), "href": self.href, "title": ""})
        elif self.depth and tag == "title" and self.paths and not self.paths[-1]["title"]:
            self.in_title = True

    def handle_endtag(self, tag):
        if tag == "svg":
            self.depth = 0
        elif tag == "title":
            self.in_title = False
        elif tag == "a":
            self.href = None

    def handle_data(self, data):
        if self.in_title:
            self.paths[-1]["title"] += data


def svg_paths(html: str, svg_class: str) -> list[dict]:
    p = SvgPaths(svg_class)
    p.feed(html)
    return p.paths


def test_each_portrait_map_lists_every_commune(sample_run):

    out = sample_run.data_dir / "portraits"
    comp = composition(sample_run)
    names = dict(duckdb.sql(f"select code_commune, libelle_commune from read_parquet('{sample_run.marts / 'mart_ti_composition'}/**/*.parquet')").fetchall())
    for id_ti, codes in comp.items():
        html = (out / f"{id_ti}.html").read_text(encoding="utf-8")
        assert re.search(r'<svg [^>]*class="carte"[^>]*role="img"[^>]*aria-labelledby="carte-titre carte-desc"', html)
        paths = svg_paths(html, "carte")
        communes = [p for p in paths if p["class"].startswith("commune ")]
        assert {p["code"] for p in communes} == codes, id_ti
        for p in communes:
            assert p["title"].startswith(f"{names[p['code']]} ({p['code']})"), p
        # neighbours are drawn, faded, and are never communes of the territory
        voisines = [p for p in paths if p["class"] == "voisine"]
        assert not {p["title"].split(" (hors")[0] for p in voisines} & {names[c] for c in codes if list(names.values()).count(names[c]) == 1}
        desc = re.search(r'<desc id="carte-desc">([^<]+)</desc>', html).group(1)
        assert desc.startswith(f"{len(codes)} communes du territoire"), desc


def test_index_map_links_every_territory(sample_run):
    html = (sample_run.data_dir / "portraits" / "index.html").read_text(encoding="utf-8")
    paths = svg_paths(html, "carte-index")
    comp = composition(sample_run)
    assert sorted(p["href"] for p in paths if p["class"] == "territoire") == sorted(f"{i}.html" for i in comp)
    assert all(p["title"] for p in paths)
    assert "<script" not in html.split('class="carte carte-index"')[1].split("</svg>")[0]


def _source_file(tmp_path, body: bytes, gz: bool = True):
    path = tmp_path / RELEASE.file_name
    path.write_bytes(gzip.compress(body) if gz else body)
    return path


def test_reader_refuses_what_is_not_a_feature_collection(tmp_path):
    with pytest.raises(SourceFormatError, match="instead of a GeoJSON FeatureCollection"):
        read_release(COMMUNES_CONTOURS, RELEASE, _source_file(tmp_path, b'{"type": "Feature"}'))
    with pytest.raises(SourceFormatError, match="HTML"):
        read_release(COMMUNES_CONTOURS, RELEASE, _source_file(tmp_path, b"<!DOCTYPE html><html><body>Not found</body></html>", gz=False))


def test_reader_caps_what_a_gzip_inflates_to(tmp_path, monkeypatch):
    monkeypatch.setattr(geojson_reader, "MAX_INFLATED_BYTES", 1000)
    body = json.dumps({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"code": "01001"}, "geometry": None}] * 50})
    with pytest.raises(SourceFormatError, match="gzip bomb"):
        read_release(COMMUNES_CONTOURS, RELEASE, _source_file(tmp_path, body.encode()))


def test_a_shape_that_is_not_a_polygon_names_the_commune(tmp_path):
    import pyarrow as pa

    path = tmp_path / "data.parquet"
    pq.write_table(pa.table({"code": ["01001"], "nom": ["L'Abergement"], "geometry": ['{"type":"LineString","coordinates":[[5,46],[5.1,46.1]]}']}), path)
    with pytest.raises(ContoursError, match="commune 01001 : LineString au lieu d'un polygone"):
        lire_communes(path)
