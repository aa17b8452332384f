"""The analyzer benchmark's workload, messy like real pulls, against the truth its generator knows.

Duplicated events (overlapping pulls), REPORTs without ``Status:`` (failures seen only in a traceback or a trailing
``Task timed out`` line) and provisioned starts without Init Duration: lamtrace must give the true per-function
numbers; the naive hand-written query must not (else the workload proves nothing).
"""

from __future__ import annotations

import json
import sys

import pytest

from tests.conftest import REPO

pytest.importorskip("duckdb")
sys.path.insert(0, str(REPO / "benchmarks" / "analyzer"))

import contenders  # noqa: E402
import generate  # noqa: E402
from run import agreement  # noqa: E402


@pytest.fixture(scope="module")
def messy(tmp_path_factory) -> tuple[str, dict]:
    path = str(tmp_path_factory.mktemp("bench") / "messy.jsonl")
    generate.generate(4000, path, seed=3, messy=True)
    with open(path + ".truth.json", encoding="utf-8") as handle:
        return path, json.load(handle)


def test_lamtrace_gives_the_true_numbers_on_messy_data(messy) -> None:
    path, truth = messy
    assert agreement(truth, contenders.run_lamtrace(path)) == "same numbers"


def test_the_careful_hand_written_query_agrees_and_the_naive_one_does_not(messy) -> None:
    path, truth = messy
    assert agreement(truth, contenders.run_duckdb_careful(path)) == "same numbers"
    naive = agreement(truth, contenders.run_duckdb(path))
    assert naive != "same numbers" and "attempts" in naive  # duplicates counted twice, at least


def test_the_messy_workload_has_what_it_claims(messy) -> None:
    path, truth = messy
    with open(path, encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    ids = [json.loads(line)["event_id"] for line in lines]
    assert len(ids) > len(set(ids))  # some events delivered twice
    assert any("provisioned-concurrency" in line for line in lines)
    assert sum(f["errors"] for f in truth.values()) > 0 and sum(f["timeouts"] for f in truth.values()) > 0
