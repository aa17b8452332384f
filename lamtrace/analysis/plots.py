"""The report's plots as matplotlib Figures (no pyplot, no global state): usable in Jupyter and for HTML files.

matplotlib is imported here only; ``lamtrace.analysis.report`` imports this module inside its plot methods.
``figure_bytes`` turns a Figure into PNG or SVG bytes for embedding.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pandas as pd
from matplotlib import dates as mdates
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

OUTCOME_COLOURS = {
    "success": "#4c9a2a",
    "error": "#d62728",
    "timeout": "#ff7f0e",
    "crash": "#8c1c13",
    "init_error": "#9467bd",
}
PHASE_COLUMNS = (
    ("xray_init_ms", "Initialization"),
    ("xray_invocation_ms", "Invocation"),
    ("xray_overhead_ms", "Overhead"),
)
TARGET_BUCKETS = 40


def figure_bytes(fig: Figure, format: str = "png", dpi: int = 100) -> bytes:
    """Render a Figure to ``png`` or ``svg`` bytes (for self-contained HTML: base64 PNG or inline SVG)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format=format, dpi=dpi, bbox_inches="tight")
    return buffer.getvalue()


def latency(invocations: pd.DataFrame, *, function: str | None = None, bins: int = 40) -> Figure:
    """Duration distribution of warm and cold attempts: histogram (log-spaced bins) and CDF, n in the legend."""
    frame = _select(invocations, function)
    fig = Figure(figsize=(10, 4), layout="constrained")
    hist, cdf = fig.subplots(1, 2)
    cold = frame["cold_start"].fillna(False).astype(bool)
    series = {
        "warm": frame.loc[~cold, "duration_ms"].dropna(),
        "cold": frame.loc[cold, "duration_ms"].dropna(),
    }
    values = pd.concat(series.values())
    if values.empty:
        return _empty(fig, "no durations")
    low, high = max(values.min(), 0.01), max(values.max(), 0.02)
    edges = (
        np.geomspace(low, high * 1.0001, bins + 1)
        if high / low > 20
        else np.linspace(0, high * 1.0001, bins + 1)
    )
    for (label, data), colour in zip(series.items(), ("#1f77b4", "#d62728"), strict=True):
        if data.empty:
            continue
        hist.hist(data, bins=edges, alpha=0.6, color=colour, label=f"{label} (n={len(data)})")
        ordered = np.sort(data.to_numpy())
        cdf.step(ordered, np.arange(1, len(ordered) + 1) / len(ordered), where="post", color=colour,
                 label=f"{label} (n={len(ordered)})")  # fmt: skip
    if edges[0] > 0 and high / low > 20:
        hist.set_xscale("log")
        cdf.set_xscale("log")
    hist.set(title="Duration distribution", xlabel="duration (ms)", ylabel="attempts")
    cdf.set(
        title="Cumulative distribution", xlabel="duration (ms)", ylabel="fraction of attempts", ylim=(0, 1.02)
    )
    for p in (0.5, 0.99):
        cdf.axhline(p, color="grey", linewidth=0.6, linestyle=":")
    hist.legend()
    cdf.legend(loc="lower right")
    return fig


def timeline(invocations: pd.DataFrame, *, function: str | None = None, max_environments: int = 40) -> Figure:
    """Each execution environment as a lane of attempts (colour = outcome, black edge = cold), and concurrency."""
    frame = _select(invocations, function).dropna(subset=["start_time"])
    fig = Figure(figsize=(10, 6), layout="constrained")
    lanes_ax, conc_ax = fig.subplots(2, 1, sharex=True, height_ratios=(3, 1))
    if frame.empty:
        return _empty(fig, "no attempts with a start time")
    end = frame["end_time"].fillna(
        frame["start_time"] + pd.to_timedelta(frame["duration_ms"].fillna(0), unit="ms")
    )
    frame = frame.assign(end_at=end)
    frame = frame.assign(log_stream=frame["log_stream"].fillna("(no stream)"))
    first = frame.groupby(["function", "log_stream"], dropna=False)["start_time"].min().sort_values()
    lanes = first.index[:max_environments]
    several = frame["function"].nunique() > 1
    for lane, (name, stream) in enumerate(lanes):
        rows = frame[(frame["function"] == name) & (frame["log_stream"] == stream)]
        starts = mdates.date2num(rows["start_time"])
        days = np.maximum((rows["end_at"] - rows["start_time"]).dt.total_seconds().to_numpy(), 0.0) / 86400.0
        cold = rows["cold_start"].fillna(False).astype(bool).to_numpy()
        lanes_ax.broken_barh(
            list(zip(starts, days, strict=True)),
            (lane - 0.35, 0.7),
            facecolors=[OUTCOME_COLOURS.get(o, "#999999") for o in rows["outcome"]],
            edgecolors=["black" if c else "none" for c in cold],
            linewidths=[1.2 if c else 0.0 for c in cold],
        )
    lanes_ax.xaxis_date()
    labels = [
        f"{name}: {_short_stream(stream)}" if several else _short_stream(stream) for name, stream in lanes
    ]
    lanes_ax.set_yticks(range(len(lanes)), labels, fontsize=7)
    lanes_ax.invert_yaxis()
    lanes_ax.set(
        title=f"Attempts per execution environment ({len(lanes)} of {len(first)})", ylabel="environment"
    )
    handles = [Patch(color=c, label=o) for o, c in OUTCOME_COLOURS.items()]
    handles.append(Patch(facecolor="white", edgecolor="black", label="cold start"))
    lanes_ax.legend(handles=handles, fontsize=7, loc="upper right", ncols=len(handles))
    times, level = concurrency(frame["start_time"], frame["end_at"])
    conc_ax.step(mdates.date2num(times), level, where="post", color="#1f77b4")
    conc_ax.set(
        ylabel="concurrent", xlabel="time (UTC)", ylim=(0, max(level.max() if len(level) else 1, 1) + 0.5)
    )
    fig.autofmt_xdate()
    return fig


def concurrency(starts: pd.Series, ends: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Step function of attempts running at once: (times, level after each time). An end before a start at the
    same instant is applied first, so back-to-back attempts in one environment do not count as overlapping."""
    events = pd.DataFrame(
        {
            "time": pd.concat([starts, ends], ignore_index=True),
            "delta": np.r_[np.ones(len(starts)), -np.ones(len(ends))],
        }  # fmt: skip
    ).dropna()
    events = events.sort_values(["time", "delta"], kind="stable")
    return events["time"].to_numpy(), events["delta"].cumsum().to_numpy()


def failures(invocations: pd.DataFrame, *, bucket: str | None = None, function: str | None = None) -> Figure:
    """Failed attempts by outcome (stacked bars) and retries (line) per time bucket."""
    frame = _select(invocations, function).dropna(subset=["start_time"])
    fig = Figure(figsize=(10, 4), layout="constrained")
    ax = fig.subplots()
    if frame.empty:
        return _empty(fig, "no attempts with a start time")
    freq = bucket or auto_bucket(frame["start_time"])
    slot = frame["start_time"].dt.floor(freq)
    counts = pd.crosstab(slot, frame["outcome"]).reindex(columns=list(OUTCOME_COLOURS), fill_value=0)
    retries = (frame["attempt"].fillna(1).astype(int) > 1).groupby(slot).sum()
    every = pd.date_range(
        slot.min(), slot.max(), freq=freq
    )  # empty buckets are zeros, not gaps to draw across
    counts, retries = counts.reindex(every, fill_value=0), retries.reindex(every, fill_value=0)
    width = pd.Timedelta(freq).total_seconds() / 86400.0 * 0.9
    bottom = np.zeros(len(counts))
    for outcome in ("error", "timeout", "crash", "init_error"):
        x = mdates.date2num(counts.index)
        ax.bar(
            x,
            counts[outcome],
            width=width,
            bottom=bottom,
            color=OUTCOME_COLOURS[outcome],
            label=outcome,
            align="edge",
        )
        bottom += counts[outcome].to_numpy()
    ax.plot(
        mdates.date2num(retries.index + pd.Timedelta(freq) / 2),
        retries.to_numpy(),
        color="black",
        marker=".",
        label="retries",
    )
    ax.xaxis_date()
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set(title=f"Failures and retries per {freq}", ylabel="attempts", xlabel="time (UTC)")
    ax.legend(fontsize=8)
    fig.autofmt_xdate()
    return fig


def xray(data: dict[str, Any], *, top_services: int = 8) -> Figure:
    """Mean X-Ray phase times per traced attempt per function, and mean downstream time per service."""
    fig = Figure(figsize=(10, 4), layout="constrained")
    phases_ax, services_ax = fig.subplots(1, 2)
    entries = [e for e in data["functions"] if e["xray"]["with_breakdown"]]
    if not entries:
        return _empty(fig, "no traced attempts with an X-Ray breakdown")
    labels = [_label(e, data["group_by"]) for e in entries]
    left = np.zeros(len(entries))
    for column, name in PHASE_COLUMNS:
        values = np.array([e["xray"]["mean_per_attempt_ms"].get(column) or 0.0 for e in entries])
        phases_ax.barh(labels, values, left=left, height=0.6, label=name)
        left += values
    downstream = np.array([e["xray"]["mean_per_attempt_ms"].get("downstream_ms") or 0.0 for e in entries])
    phases_ax.scatter(
        downstream, labels, color="black", marker="|", s=200, label="downstream (in Invocation)", zorder=3
    )
    phases_ax.set(title="Where time goes (mean ms per traced attempt)", xlabel="ms")
    phases_ax.legend(fontsize=7)
    phases_ax.margins(x=0.05, y=0.2)
    services = data["totals"]["xray"]["downstream_by_service"]
    names = list(services)[:top_services]
    if not names:
        services_ax.set_axis_off()
        services_ax.text(0.5, 0.5, "no downstream calls traced", ha="center", va="center", color="grey")
        return fig
    services_ax.barh(names, [services[n]["mean_ms"] for n in names], color="#8c564b")
    services_ax.invert_yaxis()
    services_ax.set(title="Downstream calls (mean ms per traced attempt calling it)", xlabel="ms")
    return fig


def cost(data: dict[str, Any]) -> Figure:
    """Estimated cost per function: requests and compute (of which INIT), in USD."""
    fig = Figure(figsize=(10, 4), layout="constrained")
    ax = fig.subplots()
    entries = data["functions"]
    if not entries:
        return _empty(fig, "no attempts")
    labels = [_label(e, data["group_by"]) for e in entries]
    pricing = data["pricing"]
    requests = np.array([e["cost"]["request_usd"] for e in entries])
    compute = np.array([e["cost"]["compute_usd"] for e in entries])
    init = np.array([e["cost"]["init_gb_seconds"] * pricing["gb_second_usd"] for e in entries])
    ax.barh(labels, requests, color="#7f7f7f", label="requests")
    ax.barh(labels, compute - init, left=requests, color="#1f77b4", label="compute (invoke)")
    ax.barh(labels, init, left=requests + compute - init, color="#17becf", label="compute (INIT)")
    ax.set(
        title=f"Estimated cost, {pricing['architecture']} {pricing['region']} (prices {pricing['table_version']})",
        xlabel="USD",
    )
    ax.legend(fontsize=8)
    return fig


def auto_bucket(times: pd.Series) -> str:
    """A round bucket giving about ``TARGET_BUCKETS`` buckets over the span of ``times``."""
    span = (times.max() - times.min()).total_seconds() if len(times) else 0.0
    for seconds, name in ((1, "1s"), (10, "10s"), (60, "1min"), (300, "5min"), (900, "15min"), (3600, "1h"),
                          (6 * 3600, "6h")):  # fmt: skip
        if span / seconds <= TARGET_BUCKETS:
            return name
    return "1D"


def _select(invocations: pd.DataFrame, function: str | None) -> pd.DataFrame:
    return invocations if function is None else invocations[invocations["function"] == function]


def _label(entry: dict[str, Any], keys: list[str]) -> str:
    return " / ".join(str(entry.get(k)) for k in keys)


def _short_stream(stream: Any) -> str:
    """``2026/11/28/[$LATEST]0123…cdef`` -> ``[$LATEST]…89abcdef`` (the lane label)."""
    text = str(stream)
    if "]" in text:
        text = text[text.find("[") :]
    return text if len(text) <= 20 else text[: text.find("]") + 1] + "…" + text[-8:]


def _empty(fig: Figure, message: str) -> Figure:
    for ax in fig.axes:
        ax.set_axis_off()
    fig.text(0.5, 0.5, message, ha="center", va="center", fontsize=12, color="grey")
    return fig
