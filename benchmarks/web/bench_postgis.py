"""PostGIS, the engine and the API side by side, on the three shapes of issue 23, in one run.

Run: .venv/bin/python benchmarks/web/bench_postgis.py [--rounds 200]
The shapes: a 10 km and a 60 km circle round Doncaster Royal Infirmary (postcode DN2 5LT) and South Yorkshire
ICB by its code. For each, the p50 (milliseconds) of:

- PostGIS: a well-built one-table database (hia_bench_postgis, built once from the same reference snapshot
  and rebuilt when that changes): each LSOA's code, polygon and point (EPSG:27700), population, IMD score and
  decile and ICB code, GiST indexes on the polygon and the point, a b-tree on the ICB code, ANALYZE; prepared
  queries, warmed, each returning the headline figures (LSOAs, population, population by decile, mean IMD
  score) over a kept-alive local connection. A circle is asked two ways, and the quicker is the baseline:
  the LSOAs whose point is inside the same 128-sided polygon the engine uses (ST_Buffer with quad_segs=32),
  which gives the engine's answer exactly (checked), and those within the radius (ST_DWithin), which may
  take in a few more at the edge (checked against the distances).
- the engine in-process: the same figures (`figures`: the selection and its headline figures, as
  GeographyEngine.headline gives them) and the whole profile the service answers with (with the domains,
  the places it touches, notes), warm: for an area the engine has kept the profile of (`profile`, as a
  repeated area is answered) and built anew (`built`).
- the API end to end: POST /api/v1/area-profiles with a token, on a kept-alive connection, under gunicorn
  as `make run` serves it (2 workers of 4 threads, HIA_ENV=production, PostgreSQL), as a client sees it:
  the same area again and again (`API`: the service answers from the profile it keeps), and the same from
  a second such server that keeps no areas (`API new`, HIA_AREAS_KEPT=0: every call worked out, as for an
  area not asked for before).

Every timing is interleaved round by round with the others, in a new order each round, so noise from other
processes (and what each call leaves in the processor's caches for the next) falls on all alike; the targets
are judged on these. Then each call again, that many times in a row: each warm in its own steady state, as a
benchmark of one system alone measures it (the targets met or not are counted for these too). Then the
ratios against PostGIS, the targets (the engine at most half PostGIS's time for circles and no slower for a
code-defined area; the API within max(2x, +3 ms) of PostGIS), each for every column, and the memory of each
gunicorn worker after its warm-up and after the rounds. Without PostgreSQL or PostGIS the PostGIS column
says "not available" and the rest still runs. A missed target is marked MISSED and does not fail the
run; different answers from PostGIS and the engine do.
"""

from __future__ import annotations

import argparse
import dataclasses
import http.client
import json
import math
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_api import _environment, _hia, _token  # the API benchmark's server set-up
from bench_pages import SERVER, fresh_database, gunicorn

from hia_service.domain.geography.definitions import parse_area
from hia_service.domain.geography.engine import GeographyEngine
from hia_service.domain.geography.selection import resolve
from hia_service.domain.geography.summary import Headline, headline
from hia_service.domain.kept import Kept
from hia_service.reference.snapshot import load_engine

POSTGIS_DATABASE = "hia_bench_postgis"
CENTRE_POSTCODE = "DN2 5LT"  # Doncaster Royal Infirmary
SOUTH_YORKSHIRE_ICB = "E54000061"
QUAD_SEGS = 32  # the engine's circle: shapes.circle()
ENGINE_TARGET = {"circle": 0.5, "code": 1.0}  # engine figures, times PostGIS's
API_TARGET = (2.0, 3.0)  # within max(2x, +3 ms) of PostGIS


@dataclass(frozen=True)
class Shape:
    label: str
    kind: str  # "circle" | "code"
    area: dict[str, Any]


SHAPES = (
    Shape(
        "10 km circle round DN2 5LT",
        "circle",
        {"type": "point_radius", "postcode": CENTRE_POSTCODE, "radius_km": 10},
    ),
    Shape(
        "60 km circle round DN2 5LT",
        "circle",
        {"type": "point_radius", "postcode": CENTRE_POSTCODE, "radius_km": 60},
    ),
    Shape("South Yorkshire ICB by code", "code", {"type": "icb", "codes": [SOUTH_YORKSHIRE_ICB]}),
)


@dataclass(frozen=True)
class Figures:
    """What both answer: comparable to the last digit that float sums in another order can keep."""

    lsoas: int
    population: float
    by_decile: tuple[float, ...]
    mean_score: float

    def same_as(self, other: Figures) -> bool:
        close = lambda a, b: math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)  # noqa: E731
        return (
            self.lsoas == other.lsoas
            and close(self.population, other.population)
            and all(close(a, b) for a, b in zip(self.by_decile, other.by_decile, strict=True))
            and close(self.mean_score, other.mean_score)
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200, help="rounds of every timed call (at least 50)")
    args = parser.parse_args()
    rounds = max(args.rounds, 50)
    with tempfile.TemporaryDirectory(prefix="hia-bench-postgis-") as folder, fresh_database() as url:
        env = _environment(url, Path(folder), "redis")
        engine = load_engine(folder)
        assert engine is not None, "no reference snapshot"
        for command in (["db", "upgrade"], ["demo", "seed"]):
            _hia(env, *command)
        token = _token(env, "bench-postgis")
        with PostGIS.connect(engine) as postgis, gunicorn(env, Path(folder)) as base:
            time.sleep(2.0)  # every worker booted and warmed before the first call
            workers = Workers()
            warm_rss = workers.rss_mb()
            keeping_none = {**env, "HIA_AREAS_KEPT": "0"}
            (Path(folder) / "keeping-none").mkdir()
            with gunicorn(keeping_none, Path(folder) / "keeping-none") as plain:
                time.sleep(2.0)
                api, anew = Api(base, token), Api(plain, token)
                calls, lsoas = _calls(engine, postgis, api, anew)
                times = _rounds(calls, rounds)
                in_a_row = _in_a_row(calls, rounds)
            after_rss = workers.rss_mb()
            version = postgis.version if postgis else None
    _print(times, in_a_row, lsoas, rounds, version, (warm_rss, after_rss))
    return 0


Calls = dict[tuple[str, str], Callable[[], object]]


def _calls(
    engine: GeographyEngine, postgis: PostGIS | None, api: Api, anew: Api
) -> tuple[Calls, dict[str, int]]:
    """Each (shape, way) to time, after checking that the ways agree; and each shape's LSOAs."""
    calls: Calls = {}
    lsoas = {}
    keeping_none = dataclasses.replace(engine, _profiles=Kept(0))  # the same arrays, no profiles kept
    calls[("", "healthz")] = api.healthz
    for shape in SHAPES:
        _same_as_summed_afresh(engine, shape.area)
        ours = engine_figures(engine, shape.area)
        lsoas[shape.label] = ours.lsoas
        whole = engine.profile(shape.area)
        assert whole["lsoa_count"] == ours.lsoas and whole["population"] == round(ours.population, 1)
        answered = api.profile(shape.area)
        assert answered["lsoa_count"] == ours.lsoas, (shape.label, answered["lsoa_count"], ours.lsoas)
        assert anew.profile(shape.area) == answered
        if postgis is not None:
            for way, query in postgis.queries_for(shape).items():
                _check(shape, way, query(), ours, engine)
                calls[(shape.label, way)] = query
        calls[(shape.label, "figures")] = lambda area=shape.area: engine_figures(engine, area)
        calls[(shape.label, "profile")] = lambda area=shape.area: engine.profile(area)
        calls[(shape.label, "profile_new")] = lambda area=shape.area: keeping_none.profile(area)
        calls[(shape.label, "api")] = lambda area=shape.area: api.profile(area)
        calls[(shape.label, "api_new")] = lambda area=shape.area: anew.profile(area)
    return calls, lsoas


def _check(shape: Shape, way: str, theirs: Figures, ours: Figures, engine: GeographyEngine) -> None:
    """The same polygon gives the same figures; the true circle (ST_DWithin) the LSOAs whose point is within
    the radius, which may be a few more (between the polygon's edges and the circle)."""
    if way == "postgis_dwithin":
        table = engine.release()
        x, y = engine.postcode_location(shape.area["postcode"])
        within = np.hypot(table.rep_xy[:, 0] - x, table.rep_xy[:, 1] - y) <= shape.area["radius_km"] * 1000
        same = theirs.lsoas == int(within.sum()) and theirs.lsoas >= ours.lsoas
    else:
        same = theirs.same_as(ours)
    if not same:
        raise SystemExit(f"PostGIS ({way}) and the engine differ for {shape.label}:\n{theirs}\n{ours}")


def engine_figures(engine: GeographyEngine, area: dict[str, Any]) -> Figures:
    """The engine's selection and headline figures (GeographyEngine.headline): what the PostGIS query
    computes (and a few more)."""
    figures = engine.headline(area)
    assert figures.mean_imd_score is not None
    return Figures(
        figures.lsoa_count, figures.population, figures.population_by_decile, figures.mean_imd_score
    )


def _same_as_summed_afresh(engine: GeographyEngine, area: dict[str, Any]) -> None:
    """GeographyEngine.headline equals headline() over the chosen areas' own columns, to the last digit."""
    table = engine.release()
    chosen = resolve(parse_area(area), table, engine)
    rows = chosen.rows
    afresh: Headline = headline(
        deciles=table.imd_decile[rows],
        scores=table.imd_score[rows],
        ranks=table.imd_rank[rows],
        frac_rank=table.frac_rank[rows],
        weights=chosen.weights,
        fractions=chosen.fractions,
        n_areas=table.n_areas,
    )
    if engine.headline(area) != afresh:
        raise SystemExit(f"The engine's headline figures differ from headline() for {area}")


def _rounds(calls: Calls, rounds: int) -> dict[tuple[str, str], list[float]]:
    for _ in range(20):  # warm: both workers' threads, PostGIS's prepared plans, the engine's caches
        for call in calls.values():
            call()
    times: dict[tuple[str, str], list[float]] = {key: [] for key in calls}
    order = list(calls.items())
    shuffle = random.Random(23).shuffle
    for _ in range(rounds):
        shuffle(order)  # each call follows a different one each round: what ran before warms or cools caches
        for key, call in order:
            started = time.perf_counter()
            call()
            times[key].append((time.perf_counter() - started) * 1000)
    return times


def _in_a_row(calls: Calls, rounds: int) -> dict[tuple[str, str], list[float]]:
    """Each call `rounds` times in a row, after 20 untimed: each in its own steady state, with the caches
    holding what it left there, as a benchmark of one system alone measures it."""
    times: dict[tuple[str, str], list[float]] = {}
    for key, call in calls.items():
        for _ in range(20):
            call()
        took = times[key] = []
        for _ in range(rounds):
            started = time.perf_counter()
            call()
            took.append((time.perf_counter() - started) * 1000)
    return times


class PostGIS:
    """The one-table PostGIS database, built from the engine's own arrays, and its prepared queries."""

    def __init__(self, connection: Any, engine: GeographyEngine, version: str) -> None:
        self.connection = connection
        self.engine = engine
        self.version = version

    @classmethod
    @contextmanager
    def connect(cls, engine: GeographyEngine) -> Iterator[PostGIS | None]:
        try:
            import psycopg
        except ImportError:
            print("PostGIS: not available (psycopg is not installed)")
            yield None
            return
        try:
            connection = _postgis_database(psycopg, engine)
        except (psycopg.Error, OSError) as error:
            print(f"PostGIS: not available ({str(error).strip().splitlines()[0]})")
            yield None
            return
        with connection:
            version = connection.execute(
                "SELECT postgis_lib_version(), current_setting('server_version')"
            ).fetchone()
            yield cls(connection, engine, f"PostGIS {version[0]} on PostgreSQL {version[1]}")

    def queries_for(self, shape: Shape) -> dict[str, Callable[[], Figures]]:
        """The ways PostGIS answers: a code by its b-tree; a circle as the engine's polygon does, and also
        as a true circle (ST_DWithin), which is often quicker; the quicker is the baseline."""
        if shape.kind == "code":
            return {"postgis": self._query("icb = %s", (shape.area["codes"][0],))}
        x, y = self.engine.postcode_location(shape.area["postcode"])
        centre, radius = "ST_SetSRID(ST_MakePoint(%s, %s), 27700)", shape.area["radius_km"] * 1000.0
        polygon = f"ST_Contains(ST_Buffer({centre}, %s, 'quad_segs={QUAD_SEGS}'), point)"
        return {
            "postgis": self._query(polygon, (x, y, radius)),
            "postgis_dwithin": self._query(f"ST_DWithin(point, {centre}, %s)", (x, y, radius)),
        }

    def _query(self, where: str, params: tuple[object, ...]) -> Callable[[], Figures]:
        by_decile = ", ".join(
            f"coalesce(sum(population) FILTER (WHERE imd_decile = {d}), 0)" for d in range(1, 11)
        )
        mean_score = "sum(population * imd_score) / sum(population)"
        sql = f"SELECT count(*), sum(population), {mean_score}, {by_decile} FROM lsoa WHERE {where}"

        def run() -> Figures:
            row = self.connection.execute(sql, params, prepare=True).fetchone()
            return Figures(int(row[0]), float(row[1]), tuple(float(v) for v in row[3:]), float(row[2]))

        return run


def _postgis_database(psycopg: Any, engine: GeographyEngine) -> Any:
    """A connection to hia_bench_postgis, (re)built if it was made from another snapshot."""
    server = SERVER.replace("postgresql+psycopg://", "postgresql://")
    admin_url, _, _ = server.rpartition("/")
    with psycopg.connect(server, autocommit=True) as admin:
        if admin.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'").fetchone() is None:
            raise OSError("the PostGIS extension is not installed for this PostgreSQL server")
        if (
            admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (POSTGIS_DATABASE,)).fetchone()
            is None
        ):
            admin.execute(f'CREATE DATABASE "{POSTGIS_DATABASE}"')
    connection = psycopg.connect(f"{admin_url}/{POSTGIS_DATABASE}", autocommit=True)
    connection.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    connection.execute("CREATE TABLE IF NOT EXISTS built_from (snapshot text)")
    built = connection.execute("SELECT snapshot FROM built_from").fetchone()
    if built is None or built[0] != engine.snapshot_id:
        started = time.perf_counter()
        _build_table(connection, engine)
        print(f"(built the PostGIS table in {time.perf_counter() - started:.0f} s; kept for later runs)")
    return connection


def _build_table(connection: Any, engine: GeographyEngine) -> None:
    table = engine.release()
    assert table.geography is not None and table.geo_row is not None
    polygons = _ewkb(table.geography.shapes.geometries(table.geo_row))
    points = _ewkb(shapely.points(table.rep_xy))
    icbs = np.array((*table.groups["icb"].codes, ""), dtype=object)[table.group_of["icb"]]
    connection.execute("DROP TABLE IF EXISTS lsoa")
    connection.execute(
        "CREATE TABLE lsoa (code text PRIMARY KEY, polygon geometry(Geometry, 27700) NOT NULL, "
        "point geometry(Point, 27700) NOT NULL, population float8 NOT NULL, imd_score float8 NOT NULL, "
        "imd_decile int2 NOT NULL, icb text)"
    )
    with (
        connection.cursor() as cursor,
        cursor.copy(
            "COPY lsoa (code, polygon, point, population, imd_score, imd_decile, icb) FROM STDIN"
        ) as copy,
    ):
        for row in zip(
            table.codes.tolist(),
            polygons.tolist(),
            points.tolist(),
            table.population.tolist(),
            table.imd_score.tolist(),
            table.imd_decile.tolist(),
            icbs.tolist(),
            strict=True,
        ):
            copy.write_row(row)
    for statement in (
        "CREATE INDEX lsoa_polygon ON lsoa USING gist (polygon)",
        "CREATE INDEX lsoa_point ON lsoa USING gist (point)",
        "CREATE INDEX lsoa_icb ON lsoa (icb)",
        "VACUUM ANALYZE lsoa",
        "DELETE FROM built_from",
    ):
        connection.execute(statement)
    connection.execute("INSERT INTO built_from VALUES (%s)", (engine.snapshot_id,))


def _ewkb(geometries: np.ndarray) -> np.ndarray:
    """Hex EWKB with the British National Grid's SRID, as PostGIS reads it in COPY."""
    return shapely.to_wkb(shapely.set_srid(geometries, 27700), hex=True, include_srid=True)


class Api:
    """POST /api/v1/area-profiles (and GET /healthz) on one kept-alive connection."""

    def __init__(self, base: str, token: str) -> None:
        host, port = base.removeprefix("http://").split(":")
        self.connection = http.client.HTTPConnection(host, int(port), timeout=60)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def _send(self, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> bytes:
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        data = response.read()
        if response.status != 200:
            raise SystemExit(f"{method} {path} answered {response.status}: {data[:500]!r}")
        return data

    def healthz(self) -> bytes:
        return self._send("GET", "/healthz", None, {})

    def profile(self, area: dict[str, Any]) -> dict[str, Any]:
        body = json.dumps({"area": area}).encode()
        return json.loads(self._send("POST", "/api/v1/area-profiles", body, self.headers))


class Workers:
    """The gunicorn workers this process started (children of its gunicorn master)."""

    def __init__(self) -> None:
        masters = [pid for pid in _children(os.getpid()) if b"gunicorn" in _cmdline(pid)]
        self.pids = [pid for master in masters for pid in _children(master)]

    def rss_mb(self) -> list[float]:
        return [_status(pid, "VmRSS") / 1024 for pid in self.pids]


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and _status(int(entry.name), "PPid") == pid:
            found.append(int(entry.name))
    return sorted(found)


def _status(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return -1


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


# (column, way, heading): the engine's and the API's ways, each beside PostGIS's.
OURS = (
    ("figures", "figures"),
    ("profile", "profile"),
    ("built", "profile_new"),
    ("API", "api"),
    ("API new", "api_new"),
)
TARGETS = (  # (way, what the verdict calls it, whose target)
    ("figures", "engine figures (like for like)", "engine"),
    ("profile", "engine profile, kept", "engine"),
    ("profile_new", "engine profile, built anew", "engine"),
    ("api", "API, an area asked for before", "api"),
    ("api_new", "API, a server keeping no areas", "api"),
)


def _print(
    times: dict[tuple[str, str], list[float]],
    in_a_row: dict[tuple[str, str], list[float]],
    lsoas: dict[str, int],
    rounds: int,
    version: str | None,
    rss: tuple[list[float], list[float]],
) -> None:
    served = "the API under gunicorn (2 workers x 4 threads)"
    print(f"{version or 'PostGIS: not available'}; the engine in-process; {served}")
    p50 = _p50(times)
    print(f"p50 ms of {rounds} interleaved rounds; GET /healthz p50 {p50[('', 'healthz')]:.2f} ms")
    verdicts, notes = _table(p50, lsoas)
    print(
        "PostGIS: the quicker of its ways to the same figures (below). figures: the engine's selection\n"
        "and headline figures, as PostGIS computes them (like for like). profile: the whole profile the\n"
        "service answers with (domains, places touched, notes), of an area the engine has kept; built: the\n"
        "same built anew. API: that profile as a client gets it, for an area asked for before (the server\n"
        "keeps its answer); API new: from a second server keeping no areas (HIA_AREAS_KEPT=0)."
    )
    print("\n".join(notes))
    if verdicts:
        print("Targets (issue 23), on the interleaved rounds:")
        print("\n".join(verdicts))
    p50 = _p50(in_a_row)
    print(f"\nThe same, each call {rounds} times in a row (warm, as one system alone is benchmarked):")
    verdicts, _ = _table(p50, lsoas)
    missed = [verdict for verdict in verdicts if verdict.endswith("MISSED")]
    if verdicts:
        print("Targets in a row: " + ("every one met" if not missed else f"{len(missed)} missed"))
        print("\n".join(missed))
    print(
        "Memory of each gunicorn worker (RSS): after its warm-up "
        + ", ".join(f"{mb:.0f}" for mb in rss[0])
        + " MB; after the rounds "
        + ", ".join(f"{mb:.0f}" for mb in rss[1])
        + " MB"
    )


def _p50(times: dict[tuple[str, str], list[float]]) -> dict[tuple[str, str], float]:
    return {key: statistics.median(values) for key, values in times.items()}


def _table(p50: dict[tuple[str, str], float], lsoas: dict[str, int]) -> tuple[list[str], list[str]]:
    """Prints each shape's p50s and ratios against PostGIS; returns the verdicts and notes on the baseline."""
    print(
        f"{'shape':<28} {'LSOAs':>6} {'PostGIS':>7} "
        + " ".join(f"{name:>7}" for name, _ in OURS)
        + "   x PostGIS: "
        + " ".join(f"{name:>7}" for name, _ in OURS)
    )
    verdicts: list[str] = []
    notes: list[str] = []
    for shape in SHAPES:
        ways = [way for way in ("postgis", "postgis_dwithin") if (shape.label, way) in p50]
        theirs = min((p50[(shape.label, way)] for way in ways), default=None)
        if len(ways) > 1:
            faster = min(ways, key=lambda way: p50[(shape.label, way)])
            notes.append(
                f"  {shape.label}: the same polygon {p50[(shape.label, 'postgis')]:.2f} ms, a true circle "
                f"(ST_DWithin) {p50[(shape.label, 'postgis_dwithin')]:.2f} ms: "
                f"{'the polygon' if faster == 'postgis' else 'ST_DWithin'} is the baseline"
            )
        ours = [p50[(shape.label, way)] for _, way in OURS]
        line = f"{shape.label:<28} {lsoas[shape.label]:>6,} "
        line += f"{theirs:>7.2f} " if theirs is not None else f"{'-':>7} "
        line += " ".join(f"{took:>7.2f}" for took in ours)
        if theirs is None:
            print(line)
            continue
        print(line + "   x PostGIS: " + " ".join(f"{took / theirs:>7.2f}" for took in ours))
        engine_limit = ENGINE_TARGET[shape.kind]
        api_limit = max(API_TARGET[0] * theirs, theirs + API_TARGET[1])
        for way, label, whose in TARGETS:
            took = p50[(shape.label, way)]
            if whose == "engine":
                target = f"<= {engine_limit:g}x PostGIS ({engine_limit * theirs:.2f} ms)"
                met = took <= engine_limit * theirs
            else:
                target = f"<= max(2x, +3 ms) of PostGIS ({api_limit:.2f} ms)"
                met = took <= api_limit
            verdicts.append(f"  {shape.label}: {label} {took:.2f} ms {target}: {'met' if met else 'MISSED'}")
    return verdicts, notes


if __name__ == "__main__":
    sys.exit(main())
