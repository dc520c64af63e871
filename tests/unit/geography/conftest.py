"""A tiny hand-made world for the geography engine, written through the real snapshot code and read back.

Nine English LSOAs are 1 km squares in a 3 x 3 grid (British National Grid, south-west corner 400000, 300000);
square i (0-8) is column i % 3, row i // 3, code E0100000{i+1}, rank and decile i + 1, IMD score 50 - 5i and
100(i + 1) residents. Columns 0-1 are local authority E06000001, column 2 is E06000002; all nine are ICB
E54000001 (NHS code QAA). A tenth square east of the grid is a Welsh LSOA (W01000001), outside IoD2025.
For LSOA 2011 the ninth square had the code E01090009 (it became E01000009 in 2021). The top row of squares
(6-8) is rural in the 2021 rural-urban classification (RUC21 below), the rest urban. Population-weighted
centroids are the squares' centres moved 100 m north-east.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely
from shapely.geometry import mapping

from hia_service.domain.geography.engine import GeographyEngine
from hia_service.domain.geography.releases import RELEASES
from hia_service.reference.build import Built, GroupData, ReleaseData
from hia_service.reference.geometry import Polygons
from hia_service.reference.snapshot import install, read_engine

X0, Y0, SIDE = 400_000.0, 300_000.0, 1_000.0
CODES21 = [f"E0100000{i + 1}" for i in range(9)] + ["W01000001"]
CODES11 = [*CODES21[:8], "E01090009", "W01000001"]
# 2021 rural-urban class of each square: the top row (squares 6-8) is rural, the rest urban.
RUC21 = ["UN1", "UN1", "UF1", "UN1", "UF1", "UF1", "RLN1", "RSF1", "RSF1", "UN1"]
POSTCODES = {  # compact postcode -> (x, y, nation, square or -1)
    "AA11AA": (X0 + 500, Y0 + 500, 1, 0),
    "AA11AB": (X0 + 1500, Y0 + 1500, 1, 4),
    "AA11AD": (X0 + 2500, Y0 + 2500, 1, 8),
    "CF101AA": (X0 + 3500, Y0 + 500, 2, 9),
    "EH11AA": (X0 + 100_000, Y0 + 400_000, 3, -1),
}


def square(i: int) -> shapely.Polygon:
    col, row = (i % 3, i // 3) if i < 9 else (3, 0)
    x, y = X0 + col * SIDE, Y0 + row * SIDE
    return shapely.box(x, y, x + SIDE, y + SIDE)


def _release(release_id: str, codes: list[str], geography: str | None) -> ReleaseData:
    n = 9
    ranks = np.arange(1, n + 1, dtype=np.float64)
    domains = len(RELEASES[release_id].domains)
    has_scores = RELEASES[release_id].has_scores
    group = GroupData(
        "test lookup",
        ["E06000001", "E06000002"],
        ["West", "East"],
        [],
        np.array([0, 0, 1] * 3, dtype=np.int32),
    )
    icb = GroupData("test lookup", ["E54000001"], ["Test ICB"], ["QAA"], np.zeros(n, dtype=np.int32))
    return ReleaseData(
        release_id,
        np.array(codes[:n], dtype="U9"),
        100.0 * ranks if geography else np.ones(n),
        geography is not None,
        imd_score=(50 - 5 * (ranks - 1)) if has_scores else np.full(n, np.nan),
        imd_rank=ranks,
        imd_decile=ranks.astype(np.int8),
        domain_score=np.tile(ranks[:, None] / 10, (1, domains))
        if has_scores
        else np.full((n, domains), np.nan),
        domain_decile=np.tile(ranks.astype(np.int8)[:, None], (1, domains)),
        geography=geography,
        geo_row=np.arange(n, dtype=np.int32) if geography else None,
        groups={"lad": group, "icb": icb, "sub_icb": icb} if geography else {},
    )


def tiny_built() -> Built:
    shapes = np.array([square(i) for i in range(10)], dtype=object)
    lsoa21 = Polygons(np.array(CODES21, dtype="U9"), shapes)
    lsoa11 = Polygons(np.array(sorted(CODES11), dtype="U9"), shapes[np.argsort(CODES11)])
    keys = sorted(POSTCODES)
    squares = np.array([POSTCODES[k][3] for k in keys], dtype=np.int32)
    row11 = np.array([-1 if s < 0 else int(np.flatnonzero(lsoa11.codes == CODES11[s])[0]) for s in squares])
    postcodes = {
        "keys": np.array([k.encode() for k in keys], dtype="S7"),
        "x": np.array([POSTCODES[k][0] for k in keys], dtype=np.int32),
        "y": np.array([POSTCODES[k][1] for k in keys], dtype=np.int32),
        "nation": np.array([POSTCODES[k][2] for k in keys], dtype=np.uint8),
        "lsoa21": squares,
        "lsoa11": row11.astype(np.int32),
    }
    iod2019 = _release("IoD2019", sorted(CODES11[:9]), "lsoa11")
    iod2019.geo_row = np.array(
        [int(np.flatnonzero(lsoa11.codes == c)[0]) for c in iod2019.codes], dtype=np.int32
    )
    simd = _release("SIMD2020", [f"S0100000{i + 1}" for i in range(9)], None)
    return Built(
        geographies={"lsoa21": lsoa21, "lsoa11": lsoa11},
        pwc_xy=shapely.get_coordinates(shapely.centroid(shapes)) + np.array([100.0, 100.0]),
        postcodes=postcodes,
        vintage={"lsoa11": np.array(CODES11, dtype="U9"), "lsoa21": np.array(CODES21, dtype="U9")},
        releases={"IoD2025": _release("IoD2025", CODES21, "lsoa21"), "IoD2019": iod2019, "SIMD2020": simd},
        extras={"ruc21_code": np.array(RUC21, dtype="U4")},
    )


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("tiny")
    install(tiny_built(), data_dir, "ref-tiny", {"attribution": "Test data.", "datasets": []})
    return data_dir


@pytest.fixture(scope="session")
def engine(tiny_dir: Path) -> GeographyEngine:
    return read_engine(tiny_dir / "reference" / "snapshots" / "ref-tiny")


def bng_geojson(*polygons: shapely.Polygon) -> dict:
    """A FeatureCollection in British National Grid (with the crs member saying so)."""
    features = [{"type": "Feature", "properties": {}, "geometry": mapping(p)} for p in polygons]
    return {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}},
        "features": features,
    }
