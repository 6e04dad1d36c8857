"""The coordinate system of a GeoJSON area file comes from its coordinates, not from its label (issue #12).

WGS84 lon/lat in the Netherlands is stored as delivered; RD New (EPSG:28992) and Web Mercator (EPSG:3857) are
reprojected to WGS84 with a warning; (lat, lon) order and coordinates outside the Netherlands are refused, a
single feature elsewhere on that feature. Fixtures: tests/fixtures/coordinates/README.md.

The expected positions do not come from pyproj (which the reader uses) but from published values and closed
formulas: the RD origin in Amersfoort, the RD -> WGS84 polynomial of Schreutelkamp and Strang van Hees (about a
metre, 1e-5 degrees) and the inverse of spherical Mercator.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from etl_helpers import FIXTURES, data_snapshot, errors, find_issue, load_one, query, sha256, warnings

from etl.reader import ReadError, read_delivery, scratch_connection

COORDS = FIXTURES / "coordinates"
TOLERANCE = 1e-4  # degrees: about 7 m east-west and 11 m north-south
RD_ORIGIN = (5.38720621, 52.15517440)  # RD (155000, 463000), the Onze Lieve Vrouwetoren in Amersfoort
AMSTERDAM = (4.8957, 52.3869)  # RD (121536.251, 488898.477)
RD_NOTE = "coördinaten herkend als RD New (EPSG:28992) en omgerekend naar WGS84"
EXPECTED = "Verwacht: lengte/breedte in WGS84 binnen Nederland, of RD New (EPSG:28992)"


def rd_to_wgs84(x: float, y: float) -> tuple[float, float]:
    """RD New -> WGS84 lon/lat by the approximation of Schreutelkamp and Strang van Hees (error about 1 m)."""
    dx, dy = (x - 155000) * 1e-5, (y - 463000) * 1e-5
    north = (
        3235.65389 * dy
        - 32.58297 * dx**2
        - 0.2475 * dy**2
        - 0.84978 * dx**2 * dy
        - 0.0655 * dy**3
        - 0.01709 * dx**2 * dy**2
        - 0.00738 * dx
        + 0.0053 * dx**4
        - 0.00039 * dx**2 * dy**3
        + 0.00033 * dx**4 * dy
        - 0.00012 * dx * dy
    )
    east = (
        5260.52916 * dx
        + 105.94684 * dx * dy
        + 2.45656 * dx * dy**2
        - 0.81885 * dx**3
        + 0.05594 * dx * dy**3
        - 0.05607 * dx**3 * dy
        + 0.01199 * dy
        - 0.00256 * dx**3 * dy**2
        + 0.00128 * dx * dy**4
        + 0.00022 * dy**2
        - 0.00022 * dx**2
        + 0.00026 * dx**5
    )
    return RD_ORIGIN[0] + east / 3600, RD_ORIGIN[1] + north / 3600


def mercator_to_wgs84(x: float, y: float) -> tuple[float, float]:
    r = 6378137.0
    return math.degrees(x / r), math.degrees(2 * math.atan(math.exp(y / r)) - math.pi / 2)


def delivered(path: Path) -> dict[str, dict]:
    """The geometries of a fixture as delivered, by gebied_code."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    return {f["properties"]["gebied_code"]: f["geometry"] for f in doc["features"]}


def ring(geometry: str | dict) -> list[tuple[float, float]]:
    geom = json.loads(geometry) if isinstance(geometry, str) else geometry
    return [tuple(p[:2]) for p in geom["coordinates"][0]]


def assert_near(actual: tuple[float, float], expected: tuple[float, float]) -> None:
    assert math.isclose(actual[0], expected[0], abs_tol=TOLERANCE), (actual, expected)
    assert math.isclose(actual[1], expected[1], abs_tol=TOLERANCE), (actual, expected)


def assert_reprojected(stored: dict[str, str], path: Path, convert=rd_to_wgs84) -> None:
    """Every stored vertex is the delivered vertex converted to WGS84 lon/lat."""
    source = delivered(path)
    assert stored.keys() == source.keys()
    for code, text in stored.items():
        assert json.loads(text)["type"] == "Polygon"
        got, want = ring(text), [convert(x, y) for x, y in ring(source[code])]
        assert len(got) == len(want)
        for a, e in zip(got, want, strict=True):
            assert_near(a, e)


def read(path: Path):
    """The reader's view of ``path``: the Delivery and {gebied_code: (geometrie, geometrie_fout)}."""
    with scratch_connection(path) as con:
        delivery = read_delivery(con, path)
        rows = con.execute("SELECT _rij, geometrie, geometrie_fout FROM levering ORDER BY _rij").fetchall()
    codes = list(delivered(path))
    return delivery, {codes[rij - 1]: (geom, fout) for rij, geom, fout in rows}


def labelled(tmp_path: Path, source: Path, name: str | None) -> Path:
    """A copy of ``source`` with ``crs`` named ``name`` (None: no crs member)."""
    doc = json.loads(source.read_text(encoding="utf-8"))
    doc.pop("crs", None)
    if name is not None:
        doc["crs"] = {"type": "name", "properties": {"name": name}}
    path = tmp_path / source.name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def with_features(tmp_path: Path, source: Path, extra: list[tuple[str, list]]) -> Path:
    """A copy of ``source`` with polygons added (code, outer ring)."""
    doc = json.loads(source.read_text(encoding="utf-8"))
    for code, outer in extra:
        doc["features"].append(
            {
                "type": "Feature",
                "properties": {"gebied_code": code, "gebied_naam": code},
                "geometry": {"type": "Polygon", "coordinates": [outer]},
            }
        )
    path = tmp_path / f"extra_{source.name}"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def square(x: float, y: float, d: float) -> list[list[float]]:
    return [[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]


# ----------------------------------------------------------------------------------------------- reader


def test_the_oracle_agrees_with_the_published_points() -> None:
    assert_near(rd_to_wgs84(155000, 463000), RD_ORIGIN)
    assert_near(rd_to_wgs84(121536.251, 488898.477), AMSTERDAM)


def test_rd_without_crs_is_recognised_and_reprojected() -> None:
    path = COORDS / "rd_zonder_crs.geojson"
    delivery, rows = read(path)
    assert delivery.notes == [RD_NOTE]
    assert all(fout is None for _, fout in rows.values()), rows
    assert_reprojected({code: geom for code, (geom, _) in rows.items()}, path)
    assert_near(ring(rows["BU09990101"][0])[0], RD_ORIGIN)
    assert_near(ring(rows["BU09990201"][0])[0], AMSTERDAM)


@pytest.mark.parametrize(
    "name",
    [
        "urn:ogc:def:crs:EPSG::28992",
        "EPSG:28992",
        "epsg:28992",
        "http://www.opengis.net/def/crs/EPSG/0/28992",
    ],
)
def test_rd_labelled_as_rd_is_reprojected(tmp_path: Path, name: str) -> None:
    path = labelled(tmp_path, COORDS / "rd_zonder_crs.geojson", name)
    delivery, rows = read(path)
    assert delivery.notes == [
        "coördinaten in RD New (EPSG:28992), zoals het bestand aangeeft, omgerekend naar WGS84"
    ]
    assert_reprojected({code: geom for code, (geom, _) in rows.items()}, path)


def test_rd_label_fixture_is_reprojected() -> None:
    delivery, rows = read(COORDS / "rd_label_epsg28992.geojson")
    assert len(delivery.notes) == 1 and "zoals het bestand aangeeft" in delivery.notes[0]
    assert_near(ring(rows["BU09990101"][0])[0], RD_ORIGIN)


def test_rd_labelled_crs84_is_not_believed() -> None:
    path = COORDS / "rd_label_crs84.geojson"
    delivery, rows = read(path)
    assert delivery.notes == [
        "het bestand noemt als coördinatenstelsel urn:ogc:def:crs:OGC:1.3:CRS84, maar de coördinaten zijn "
        "RD New (EPSG:28992): omgerekend naar WGS84"
    ]
    assert_reprojected({code: geom for code, (geom, _) in rows.items()}, path)
    assert rows == read(COORDS / "rd_zonder_crs.geojson")[1]  # the label changes the note, not the result


def test_wgs84_is_stored_as_delivered() -> None:
    path = COORDS / "wgs84.geojson"
    delivery, rows = read(path)
    assert delivery.notes == []
    source = delivered(path)
    assert {code: geom for code, (geom, _) in rows.items()} == {
        code: json.dumps(g, separators=(",", ":")) for code, g in source.items()
    }
    assert all(fout is None for _, fout in rows.values())


def test_wgs84_labelled_rd_is_not_reprojected(tmp_path: Path) -> None:
    path = labelled(tmp_path, COORDS / "wgs84.geojson", "EPSG:28992")
    delivery, rows = read(path)
    assert delivery.notes == [
        "het bestand noemt als coördinatenstelsel EPSG:28992, maar de coördinaten zijn lengte/breedte in WGS84: "
        "niet omgerekend"
    ]
    assert ring(rows["WK099901"][0])[0] == (5.0, 52.0)


@pytest.mark.parametrize(
    ("label", "note"),
    [
        (
            "EPSG:3857",
            "coördinaten in Web Mercator (EPSG:3857), zoals het bestand aangeeft, omgerekend naar WGS84",
        ),
        (None, "coördinaten herkend als Web Mercator (EPSG:3857) en omgerekend naar WGS84"),
    ],
)
def test_web_mercator_is_reprojected(tmp_path: Path, label: str | None, note: str) -> None:
    path = labelled(tmp_path, COORDS / "webmercator_epsg3857.geojson", label)
    delivery, rows = read(path)
    assert delivery.notes == [note]
    assert_reprojected({code: geom for code, (geom, _) in rows.items()}, path, mercator_to_wgs84)
    corners = ring(rows["WK099901"][0])
    assert_near(corners[0], (5.0, 52.0))
    assert_near(corners[2], (5.1, 52.1))


def test_lat_lon_order_is_refused() -> None:
    with pytest.raises(ReadError) as exc:
        read(COORDS / "breedte_lengte.geojson")
    message = str(exc.value)
    assert "de coördinaten staan in de volgorde (breedte, lengte) in plaats van (lengte, breedte)" in message
    assert "bijv. [52.0, 5.0] waar [5.0, 52.0] hoort" in message


@pytest.mark.parametrize(
    ("name", "found"),
    [
        ("parijs.geojson", "de geometrieën lopen van (2.29, 48.82) tot (2.41, 48.90). "),
        (
            "new_york_crs84.geojson",
            "de geometrieën lopen van (-74.02, 40.70) tot (-73.93, 40.80) "
            "(het bestand noemt urn:ogc:def:crs:OGC:1.3:CRS84). ",
        ),
    ],
)
def test_coordinates_outside_the_netherlands_are_refused(name: str, found: str) -> None:
    with pytest.raises(ReadError) as exc:
        read(COORDS / name)
    assert str(exc.value) == f"de coördinaten liggen niet in Nederland: {found}{EXPECTED}"


def test_projected_coordinates_outside_the_netherlands_are_refused_with_metres(tmp_path: Path) -> None:
    utm = {"type": "Polygon", "coordinates": [square(640000, 5800000, 1000)]}  # UTM 31N, not supported
    path = tmp_path / "utm.geojson"
    feature = {"type": "Feature", "properties": {"gebied_code": "WK099901"}, "geometry": utm}
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), encoding="utf-8")
    with pytest.raises(ReadError, match=r"lopen van \(640000, 5800000\) tot \(641000, 5801000\)"):
        read(path)


def test_an_unknown_label_is_refused(tmp_path: Path) -> None:
    path = labelled(tmp_path, COORDS / "wgs84.geojson", "urn:ogc:def:crs:EPSG::3035")
    with pytest.raises(ReadError, match="niet in urn:ogc:def:crs:EPSG::3035"):
        read(path)


def test_one_feature_outside_the_netherlands_is_reported_on_that_feature() -> None:
    delivery, rows = read(COORDS / "een_buiten_nederland.geojson")
    assert delivery.notes == []
    assert [fout for _, fout in rows.values()] == [
        None,
        None,
        None,
        "coördinaten buiten Nederland: van (2.29, 48.82) tot (2.35, 48.90)",
    ]


def test_one_feature_in_another_system_is_reported_on_that_feature(tmp_path: Path) -> None:
    path = with_features(
        tmp_path,
        COORDS / "wgs84.geojson",
        [
            ("BU09990201", square(155000, 463000, 1000)),  # RD New among WGS84
            ("BU09990202", square(52.0, 5.0, 0.05)),  # (lat, lon)
        ],
    )
    _, rows = read(path)
    assert rows["BU09990201"][1] == "coördinaten in RD New (EPSG:28992); de rest in lengte/breedte in WGS84"
    assert (
        rows["BU09990202"][1]
        == "coördinaten in de volgorde (breedte, lengte) in plaats van (lengte, breedte)"
    )
    assert rows["BU09990101"][1] is None


def test_an_rd_feature_that_lands_outside_the_netherlands_is_reported(tmp_path: Path) -> None:
    # inside the RD box (a rectangle around the Netherlands) but west of lon 3.0 once reprojected
    path = with_features(
        tmp_path, COORDS / "rd_zonder_crs.geojson", [("BU09990202", square(-14000, 640000, 500))]
    )
    delivery, rows = read(path)
    assert delivery.notes == [RD_NOTE]
    assert rows["BU09990202"][1].startswith("coördinaten buiten Nederland: in WGS84 van (2.")
    assert rows["BU09990101"][1] is None


def test_a_self_intersection_in_rd_is_reported_where_the_user_can_find_it(tmp_path: Path) -> None:
    bowtie = [[155000, 463000], [156000, 464000], [156000, 463000], [155000, 464000], [155000, 463000]]
    path = with_features(tmp_path, COORDS / "rd_zonder_crs.geojson", [("BU09990202", bowtie)])
    _, rows = read(path)
    assert rows["BU09990202"][1] == "de polygoon snijdt zichzelf bij (155500, 463500); herstel de geometrie"


# ------------------------------------------------------------------------------------------ end to end


def stored_geometry(db: Path, table: str, load_id: int | None = None) -> dict[str, str]:
    """{gebied_code: geometrie} of the areas with a geometry (dim_gebied adds the gemeente GM0999 without one)."""
    where = " WHERE geometrie IS NOT NULL" + (" AND _load_id = ?" if load_id is not None else "")
    params = [load_id] if load_id is not None else []
    return dict(query(db, f"SELECT gebied_code, geometrie FROM {table}{where} ORDER BY 1", params))


@pytest.mark.parametrize(
    ("name", "note"),
    [
        ("rd_zonder_crs.geojson", RD_NOTE),
        (
            "rd_label_crs84.geojson",
            "het bestand noemt als coördinatenstelsel urn:ogc:def:crs:OGC:1.3:CRS84, maar de coördinaten zijn "
            "RD New (EPSG:28992): omgerekend naar WGS84",
        ),
    ],
)
def test_an_rd_file_loads_at_the_right_place(tmp_path: Path, name: str, note: str) -> None:
    path = COORDS / name
    db = tmp_path / "w.duckdb"
    res = load_one(path, db)
    assert (res.status, res.kind, res.rows_loaded) == ("geladen", "gebieden", 4), res.report()
    assert [i.bericht for i in warnings(res)] == [f"{name}: {note}"]
    assert note in res.report()
    raw = stored_geometry(db, "raw.gebieden__gebieden", res.load_id)
    assert_reprojected(raw, path)
    assert_near(ring(raw["BU09990101"])[0], RD_ORIGIN)
    assert_near(ring(raw["BU09990201"])[0], AMSTERDAM)
    dim = stored_geometry(db, "marts.dim_gebied")
    assert dim == raw  # the map draws what raw holds
    assert_near(ring(dim["WK099901"])[2], rd_to_wgs84(157000, 464000))


def test_a_wgs84_file_loads_as_delivered(tmp_path: Path) -> None:
    path = COORDS / "wgs84.geojson"
    db = tmp_path / "w.duckdb"
    res = load_one(path, db)
    assert res.status == "geladen", res.report()
    assert warnings(res) == []
    assert stored_geometry(db, "marts.dim_gebied") == {
        code: json.dumps(g, separators=(",", ":")) for code, g in delivered(path).items()
    }


def test_a_web_mercator_file_loads_at_the_right_place(tmp_path: Path) -> None:
    path = COORDS / "webmercator_epsg3857.geojson"
    db = tmp_path / "w.duckdb"
    res = load_one(path, db)
    assert res.status == "geladen", res.report()
    find_issue(res, "Web Mercator (EPSG:3857)", "omgerekend naar WGS84", ernst="waarschuwing")
    dim = stored_geometry(db, "marts.dim_gebied")
    assert_near(ring(dim["WK099901"])[0], (5.0, 52.0))
    assert_near(ring(dim["WK099901"])[2], (5.1, 52.1))


@pytest.mark.parametrize(
    ("name", "words"),
    [
        (
            "parijs.geojson",
            ["parijs.geojson: de coördinaten liggen niet in Nederland", "(2.29, 48.82)", EXPECTED],
        ),
        ("new_york_crs84.geojson", ["niet in Nederland", "(-74.02, 40.70) tot (-73.93, 40.80)", EXPECTED]),
        ("breedte_lengte.geojson", ["in de volgorde (breedte, lengte) in plaats van (lengte, breedte)"]),
    ],
)
def test_a_file_outside_the_netherlands_is_refused_and_changes_nothing(
    area_db: Path, name: str, words: list[str]
) -> None:
    before, digest = data_snapshot(area_db), sha256(area_db)
    res = load_one(COORDS / name, area_db)
    assert res.status == "afgewezen", res.report()
    assert len(errors(res)) == 1
    find_issue(res, *words)
    assert data_snapshot(area_db) == before
    assert sha256(area_db) == digest


def test_one_feature_outside_the_netherlands_refuses_the_file_on_that_feature(area_db: Path) -> None:
    before, digest = data_snapshot(area_db), sha256(area_db)
    res = load_one(COORDS / "een_buiten_nederland.geojson", area_db)
    assert res.status == "afgewezen", res.report()
    issue = find_issue(res, "coördinaten buiten Nederland: van (2.29, 48.82) tot (2.35, 48.90)")
    assert (issue.rij, issue.waarde) == (
        4,
        "coördinaten buiten Nederland: van (2.29, 48.82) tot (2.35, 48.90)",
    )
    assert data_snapshot(area_db) == before
    assert sha256(area_db) == digest
