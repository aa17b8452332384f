"""collectors.store: partitioned Parquet, append without duplicates, readers (ours, files.read and DuckDB)."""

from __future__ import annotations

import json

import pytest

from collectors import files, store
from collectors.events import raw_event
from lamtrace.errors import InputError

DAY = 86_400_000
T0 = 1_764_288_000_000  # 2025-11-28T00:00:00Z


def events(group: str, n: int, start: int = 0) -> list[dict]:
    return [
        raw_event(group, "2025/11/28/[$LATEST]abc", T0 + i * DAY // 4, f"line {i}\n", f"{group}-{i}", T0 + i)
        for i in range(start, start + n)
    ]


def traces(n: int) -> list[dict]:
    return [
        {
            "trace_id": "1-69296580-0123456789abcdef01234567",
            "segment_id": f"{i:016x}",
            "document": json.dumps({"id": f"{i:016x}"}),
        }
        for i in range(n)
    ]


def test_layout_and_round_trip(tmp_path):
    written = events("/aws/lambda/orders", 8) + events("/aws/lambda/pay", 3)
    with store.StoreWriter(tmp_path) as writer:
        for e in written:
            writer.add_event(e)
        for t in traces(4):
            writer.add_trace(t)
    assert writer.events_written == 11 and writer.traces_written == 4
    folders = {p.parent.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.parquet")}
    assert "logs/group=%2Faws%2Flambda%2Forders/date=2025-11-28" in folders
    assert "logs/group=%2Faws%2Flambda%2Forders/date=2025-11-29" in folders
    assert "traces/date=2025-11-28" in folders
    read_back = sorted(store.read_log_events(tmp_path), key=lambda e: e["event_id"])
    assert read_back == sorted(written, key=lambda e: e["event_id"])
    assert sorted(t["segment_id"] for t in store.read_trace_documents(tmp_path)) == [
        f"{i:016x}" for i in range(4)
    ]


def test_second_write_appends_only_new_rows(tmp_path):
    store.write(tmp_path, (("log_event", e) for e in events("g", 6)))
    again = store.write(
        tmp_path, [("log_event", e) for e in events("g", 10)] + [("trace", t) for t in traces(2)]
    )
    assert again.events_written == 4 and again.duplicates == 6
    third = store.write(tmp_path, [("trace", t) for t in traces(3)])
    assert third.traces_written == 1 and third.duplicates == 2
    ids = [e["event_id"] for e in store.read_log_events(tmp_path)]
    assert sorted(ids) == sorted(f"g-{i}" for i in range(10))


def test_duplicates_within_one_write_are_dropped(tmp_path):
    writer = store.write(tmp_path, [("log_event", e) for e in events("g", 3) * 2])
    assert writer.events_written == 3 and writer.duplicates == 3


def test_flush_callback_runs_after_rows_are_on_disk(tmp_path):
    seen = []
    writer = store.StoreWriter(
        tmp_path, flush_rows=5, on_flush=lambda: seen.append(len(list(store.read_log_events(tmp_path))))
    )
    for e in events("g", 12):
        writer.add_event(e)
    writer.close()
    assert seen == [5, 10, 12]


def test_files_reader_and_duckdb_read_the_store(tmp_path):
    duckdb = pytest.importorskip("duckdb")
    store.write(
        tmp_path,
        [("log_event", e) for e in events("/aws/lambda/orders", 5)] + [("trace", t) for t in traces(2)],
    )
    stats = files.ReadStats()
    kinds = [k for k, _ in files.read(tmp_path, stats=stats)]
    assert kinds.count("log_event") == 5 and kinds.count("trace") == 2
    assert {f.format for f in stats.files} == {"lamtrace-events-parquet", "lamtrace-traces-parquet"}
    rows = duckdb.sql(
        f"SELECT log_group, count(*) FROM read_parquet('{tmp_path}/logs/**/*.parquet', hive_partitioning = true) GROUP BY 1"
    ).fetchall()
    assert rows == [("/aws/lambda/orders", 5)]
    cols = duckdb.sql(
        f"DESCRIBE SELECT * FROM read_parquet('{tmp_path}/logs/**/*.parquet', hive_partitioning = false)"
    ).fetchall()
    assert [c[0] for c in cols] == [
        "log_group",
        "log_stream",
        "timestamp",
        "message",
        "event_id",
        "ingestion_time",
    ]


def test_reading_a_non_store_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="not a lamtrace collect store"):
        list(store.read_log_events(tmp_path))


def test_rows_added_before_an_error_are_kept(tmp_path):
    with pytest.raises(KeyboardInterrupt), store.StoreWriter(tmp_path) as writer:
        for e in events("g", 3):
            writer.add_event(e)
        raise KeyboardInterrupt
    assert len(list(store.read_log_events(tmp_path))) == 3
