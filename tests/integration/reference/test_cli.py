"""`hia reference load|status` and `hia profile`, through Flask's CLI runner with a real database."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from hia_service.cli.profile import profile_cmd
from hia_service.cli.reference import reference_cli
from hia_service.data.models import ReferenceDataset
from hia_service.extensions import db
from hia_service.reference.manifest import read_manifest
from hia_service.reference.snapshot import current_snapshot_id
from tests.conftest import REFERENCE_DIR


@pytest.fixture
def runner(app: Flask, reference_data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> FlaskCliRunner:
    monkeypatch.setitem(app.config, "HIA_DATA_DIR", str(reference_data_dir))
    monkeypatch.setitem(app.config, "HIA_REFERENCE_DIR", str(REFERENCE_DIR))
    return app.test_cli_runner()


def provenance_rows(app: Flask) -> list[tuple[str, str, bool]]:
    with app.app_context():
        rows = db.session.scalars(select(ReferenceDataset).order_by(ReferenceDataset.id))
        return [(r.dataset_id, r.snapshot_id, r.is_current) for r in rows]


def test_load_is_recorded_idempotent_and_a_bad_file_changes_nothing(
    app: Flask, runner: FlaskCliRunner, reference_data_dir: Path, tmp_path: Path, monkeypatch: Any
) -> None:
    first = runner.invoke(reference_cli, ["load"])
    assert first.exit_code == 0, first.output
    assert "Loaded 15 reference files as snapshot ref-" in first.output
    rows = provenance_rows(app)
    assert len(rows) == 15 and all(current for _, _, current in rows)
    snapshot = current_snapshot_id(reference_data_dir)
    assert {s for _, s, _ in rows} == {snapshot}

    def checked_again(*args: object) -> None:
        raise AssertionError("files identical to the snapshot's were read and checked again")

    with monkeypatch.context() as patched:  # the same files: their checksums say so, nothing is re-read
        patched.setattr("hia_service.reference.loader.check_all", checked_again)
        again = runner.invoke(reference_cli, ["load"])
    assert again.exit_code == 0 and "already loaded" in again.output, again.output
    assert provenance_rows(app) == rows

    bad = tmp_path / "bad-source"
    bad.mkdir()
    for spec in read_manifest().datasets:
        (bad / spec.file).symlink_to(REFERENCE_DIR / spec.file)
    lines = (REFERENCE_DIR / "iod2025_england_lsoa21.csv").read_text().splitlines()
    (bad / "iod2025_england_lsoa21.csv").unlink()
    (bad / "iod2025_england_lsoa21.csv").write_text(
        "\n".join([*lines[:1001], lines[1], *lines[1002:]]) + "\n"
    )
    failed = runner.invoke(reference_cli, ["load", "--from", str(bad)])
    assert failed.exit_code == 1
    assert (
        "iod2025_england_lsoa21.csv, line 1,002: duplicate lsoa21_code E01000001 (first on line 2)"
        in failed.output
    )
    assert current_snapshot_id(reference_data_dir) == snapshot
    assert provenance_rows(app) == rows

    status = runner.invoke(reference_cli, ["status"])
    assert status.exit_code == 0 and f"Snapshot in use: {snapshot}" in status.output
    assert "iod2025" in status.output and "1,742,638" in status.output


def test_status_before_any_load(app: Flask, runner: FlaskCliRunner) -> None:
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ReferenceDataset)) == 0
    assert "No reference data is loaded yet" in runner.invoke(reference_cli, ["status"]).output


def test_profile_a_local_authority_as_json_and_table(runner: FlaskCliRunner) -> None:
    result = runner.invoke(profile_cmd, ["--lad", "E06000009"])
    assert result.exit_code == 0
    profile = json.loads(result.output)
    assert profile["area"]["names"] == ["Blackpool"] and profile["lsoa_count"] == 94
    table = runner.invoke(profile_cmd, ["--icb", "QE1", "--format", "table"])
    assert table.exit_code == 0
    assert (
        "NHS Lancashire and South Cumbria Integrated Care Board" in table.output and "Core20" in table.output
    )


def test_profile_takes_codes_and_names_of_choices_in_any_case(runner: FlaskCliRunner) -> None:
    result = runner.invoke(profile_cmd, ["--lad", " e06000009", "--release", "iod2025", "--format", "JSON"])
    assert result.exit_code == 0, result.output
    profile = json.loads(result.output)
    assert profile["release"] == "IoD2025" and profile["area"]["codes"] == ["E06000009"]
    assert profile["provenance"]["inputs"]["lads"] == "E06000009"
    assert runner.invoke(profile_cmd, ["--icb", "qe1", "--format", "Table"]).exit_code == 0
    each = runner.invoke(profile_cmd, ["--each", "ICB", "--release", "IOD2025"])
    assert each.exit_code == 0, each.output
    assert len(each.output.strip().splitlines()) == 42


def test_a_wrong_release_lists_the_releases(runner: FlaskCliRunner) -> None:
    result = runner.invoke(profile_cmd, ["--lad", "E06000009", "--release", "iod2030"])
    assert result.exit_code == 2
    assert (
        "'iod2030' is not one of 'IoD2019', 'IoD2025', 'NIMDM2017', 'SIMD2020', 'WIMD2019'" in result.output
    )


@pytest.mark.parametrize(
    ("option", "given", "suggested"),
    [
        ("--lad", "E060000009", "E06000009 (Blackpool)"),  # a 0 too many
        ("--lad", "blackpool", "E06000009 (Blackpool)"),  # the name for the code
        ("--lad", "Hartlepol", "E06000001 (Hartlepool)"),  # the name, misspelt
        ("--icb", "e5400048", "E54000048 (NHS Lancashire and South Cumbria Integrated Care Board)"),
    ],
)
def test_a_wrong_area_code_suggests_the_nearest(
    runner: FlaskCliRunner, option: str, given: str, suggested: str
) -> None:
    result = runner.invoke(profile_cmd, [option, given])
    assert result.exit_code == 1
    assert f"Did you mean {suggested}?" in result.output


def test_no_guess_when_several_codes_are_as_near(runner: FlaskCliRunner) -> None:
    result = runner.invoke(profile_cmd, ["--lad", "E0600009"])  # a digit missing: E06000009? E06000019?
    assert result.exit_code == 1
    assert "E0600009 is not a local authority district code" in result.output
    assert "Did you mean" not in result.output


def test_another_kind_of_code_is_named_not_guessed_at(runner: FlaskCliRunner) -> None:
    result = runner.invoke(profile_cmd, ["--lad", "e54000048"])
    assert result.exit_code == 1
    assert "use area type 'icb'" in result.output and "Did you mean" not in result.output


def test_profile_each_local_authority_one_json_per_line(runner: FlaskCliRunner) -> None:
    result = runner.invoke(profile_cmd, ["--each", "lad"])
    assert result.exit_code == 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 296
    assert {json.loads(line)["area"]["type"] for line in lines} == {"lad"}


def test_profile_a_patient_list_file(runner: FlaskCliRunner, tmp_path: Path) -> None:
    waiting_list = tmp_path / "waiting-list.csv"
    waiting_list.write_text("postcode\nSW1A 2AA\n\nTS1 2AA\nrubbish\nEH1 1YZ\n")
    result = runner.invoke(profile_cmd, ["--postcodes", str(waiting_list)])
    assert result.exit_code == 0, result.output
    profile = json.loads(result.output)
    assert profile["population"] == 2 and len(profile["unmatched"]) == 2
    assert "SW1A 2AA" not in result.output and "EH1 1YZ" not in result.output


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        ([], 2, "Give exactly one area"),
        (["--lad", "E06000009", "--lsoa", "E01000001"], 2, "Give exactly one area"),
        (["--postcode", "TS1 2AA"], 2, "--radius-km"),
        (["--lad", "E54000048"], 1, "use area type 'icb'"),
        (["--lsoa", "E01000010"], 1, "changed in 2021"),
        (["--lad", "E06000009", "--release", "SIMD2020"], 1, "list of data zone codes"),
    ],
)
def test_profile_errors_are_plain(runner: FlaskCliRunner, args: list[str], code: int, words: str) -> None:
    result = runner.invoke(profile_cmd, args)
    assert result.exit_code == code and words in result.output
    assert "Traceback" not in result.output


def test_profile_refuses_a_50_megabyte_geojson_and_a_badly_formed_list(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    big = tmp_path / "huge.geojson"
    with big.open("w") as handle:
        handle.write('{"type": "Polygon", "coordinates": [[')
        handle.write("[-3.05, 53.81]," * 3_400_000)
        handle.write("[-3.05, 53.81]]]}")
    result = runner.invoke(profile_cmd, ["--geojson", str(big)])
    assert result.exit_code == 1 and "huge.geojson is 51 MB; the most we take is 20 MB" in result.output
    wrong = tmp_path / "codes.csv"
    wrong.write_bytes(b"name,area\n\x81\x8d,x\n")  # neither UTF-8 nor Windows-1252
    result = runner.invoke(profile_cmd, ["--lsoa-file", str(wrong)])
    assert result.exit_code == 1 and "not text we can read" in result.output
    wrong.write_bytes("name,area\nCaf\u00e9,x\n".encode("cp1252"))  # Excel's plain CSV: read, then judged
    result = runner.invoke(profile_cmd, ["--lsoa-file", str(wrong)])
    assert result.exit_code == 1 and "columns were not recognised" in result.output


def test_profile_before_any_load_says_what_to_do(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "HIA_DATA_DIR", str(tmp_path))
    result = app.test_cli_runner().invoke(profile_cmd, ["--lad", "E06000009"])
    assert result.exit_code == 1 and "Run: hia reference load" in result.output


def test_load_removes_what_a_stopped_load_left_and_says_so_in_one_line(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Checked before the files: even a load whose files are refused clears a killed load's folder."""
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True)
    left = tmp_path / "data" / "reference" / "snapshots" / f".building-ref-0123-{int(finished.stdout)}"
    (left / "geo").mkdir(parents=True)
    monkeypatch.setitem(app.config, "HIA_DATA_DIR", str(tmp_path / "data"))
    (tmp_path / "source").mkdir()
    manifest = tmp_path / "manifest.yaml"
    entry = {"id": "index", "title": "Test", "release": "Test", "geography": "LSOA 2021", "vintage": "2025"}
    entry |= {"nation": "England", "file": "index.csv", "format": "csv", "row_count": 1, "key": ["code"]}
    entry |= {"columns": ["code"], "publisher": "Test", "licence": "OGL", "attribution": "Test"}
    manifest.write_text(yaml.safe_dump({"attribution": "Test", "datasets": [entry | {"sha256": "0" * 64}]}))
    result = app.test_cli_runner().invoke(
        reference_cli, ["load", "--from", str(tmp_path / "source"), "--manifest", str(manifest)]
    )
    assert result.exit_code == 1 and "index.csv: the file is missing" in result.output
    said = [line for line in result.output.splitlines() if "unfinished" in line]
    assert said == [
        "Removed 1 unfinished snapshot folder(s) left by a reference load that stopped part way: "
        f"{left.name}."
    ]
    assert not left.exists()
