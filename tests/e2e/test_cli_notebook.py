"""examples/analysis.ipynb runs top to bottom in a real Jupyter kernel (as CI does) and shows tables and plots."""

from __future__ import annotations

import os
import sys

import pytest

from tests.conftest import REPO

nbclient = pytest.importorskip("nbclient")
nbformat = pytest.importorskip("nbformat")
pytest.importorskip("ipykernel")


@pytest.mark.slow
def test_analysis_notebook_executes(monkeypatch: pytest.MonkeyPatch) -> None:
    notebook = nbformat.read(REPO / "examples" / "analysis.ipynb", as_version=4)
    # the kernel is this interpreter, with this checkout importable
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    client = nbclient.NotebookClient(
        notebook,
        timeout=240,
        kernel_name="python3",
        resources={"metadata": {"path": str(REPO / "examples")}},
    )
    client.kernel_manager_class = _this_interpreter_kernel()
    client.execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    html = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    assert any("shop-api" in h for h in html)  # DataFrames and the report render as tables
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 5  # latency, timeline, failures, X-Ray, cost


def _this_interpreter_kernel() -> type:
    """A kernel manager that starts ipykernel with ``sys.executable``, whatever kernelspecs are installed."""
    from jupyter_client.manager import KernelManager

    class ThisInterpreter(KernelManager):
        def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
            return [sys.executable, "-m", "ipykernel_launcher", "-f", self.connection_file]

    return ThisInterpreter
