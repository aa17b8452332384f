"""Build a Lambda layer zip holding lamtrace's in-function code, plus optional tracing extras.

The layer uses the ``python/`` layout AWS documents: Lambda unpacks layers into ``/opt``, and ``/opt/python`` is on
the Python runtime's ``sys.path``. What goes in:

* lamtrace's in-function code only (``IN_LAYER``: the package's ``__init__``, ``records``, ``errors`` and
  ``runtime/``, all standard library). The offline parts (analysis, collectors, CLI, renderers, local emulator,
  this builder) need pandas/DuckDB/boto3/rich and are never imported from a function, so shipping them would only
  add bytes. An allowlist, so a new offline sub-package stays out without anyone remembering to exclude it; a test
  imports every shipped module with only the layer on the path.
* a ``lamtrace-<version>.dist-info`` so ``importlib.metadata.version("lamtrace")`` works inside the function;
* with ``extras``, manylinux wheels for the target Python and architecture, installed by pip into ``python/``.
  Distributions the Lambda Python runtime already provides (boto3, botocore and their dependencies) are left out
  unless asked for: botocore alone is ~30 MB unzipped.

``.pyc`` files when the build runs on the target Python (``bytecode``): ``/opt`` is read-only in Lambda, so without
them Python compiles every imported layer module at every cold start. They are reproducible unchecked-hash files;
another interpreter cannot make them, and then the layer ships sources only (``--no-compile`` forces that).
"""

from __future__ import annotations

import base64
import csv
import hashlib
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import lamtrace
from lamtrace.errors import LamtraceError
from lamtrace.ship.bytecode import check_interpreter, compile_entries, host_python
from lamtrace.ship.reproducible_zip import ZIP_EPOCH, write_zip

ARCHITECTURES = {"x86_64": "x86_64", "arm64": "aarch64"}  # Lambda name -> manylinux name
# The same requirement lists as pyproject.toml's extras (a test keeps them equal).
EXTRA_REQUIREMENTS: dict[str, tuple[str, ...]] = {
    "otel": (
        "opentelemetry-sdk>=1.20",
        "opentelemetry-sdk-extension-aws>=2.0",
        "opentelemetry-propagator-aws-xray>=1.0",
    ),
    "xray": ("aws-xray-sdk>=2.12",),
}
# Installed in every Lambda Python runtime (the AWS SDK and its dependencies).
RUNTIME_PROVIDED = frozenset(
    {"boto3", "botocore", "s3transfer", "jmespath", "python-dateutil", "six", "urllib3"}
)
# The parts of the lamtrace package a function imports (DESIGN: everything in-function lives in runtime/).
IN_LAYER = frozenset({"__init__.py", "py.typed", "records.py", "errors.py", "runtime"})
ZIPPED_LIMIT = 50 * 1024 * 1024  # direct upload of a layer or function zip
UNZIPPED_LIMIT = 250 * 1024 * 1024  # function code plus all its layers, unpacked
DESCRIPTION_PREFIX = "lamtrace "  # layer version descriptions start with this; `lamtrace doctor` looks for it


@dataclass
class LayerBuild:
    """What ``build_layer`` wrote, and how it compares with Lambda's size limits."""

    path: Path
    python: str
    arch: str
    extras: tuple[str, ...]
    sha256: str
    zipped_bytes: int
    unzipped_bytes: int
    files: int
    packages: dict[str, str]  # distribution name -> version, lamtrace included
    left_out: list[str] = field(default_factory=list)  # runtime-provided distributions not shipped
    compiled: bool = False  # .pyc files included
    not_compiled: list[str] = field(default_factory=list)  # with bytecode: sources that did not compile

    @property
    def runtime(self) -> str:
        return f"python{self.python}"

    @property
    def description(self) -> str:
        """The layer version description: names lamtrace, so ``lamtrace doctor`` recognises the layer."""
        return f"{DESCRIPTION_PREFIX}{self.packages['lamtrace']} {self.runtime} {self.arch} {'+'.join(self.extras) or 'core'}"

    def problems(self) -> list[str]:
        """Lambda limits this layer breaks on its own (empty when it fits)."""
        found = []
        if self.zipped_bytes > ZIPPED_LIMIT:
            found.append(
                f"zipped size {_mb(self.zipped_bytes)} is over the 50 MB direct-upload limit: upload it to S3 and "
                "publish with --content S3Bucket=...,S3Key=..."
            )
        if self.unzipped_bytes > UNZIPPED_LIMIT:
            found.append(
                f"unzipped size {_mb(self.unzipped_bytes)} is over the 250 MB limit for a function and all its "
                "layers: Lambda will refuse it"
            )
        return found

    def publish_command(self, layer_name: str = "lamtrace") -> str:
        """The AWS CLI command that publishes this zip as a layer version."""
        return (
            f"aws lambda publish-layer-version --layer-name {layer_name} "
            f"--description '{self.description}' --compatible-runtimes {self.runtime} "
            f"--compatible-architectures {self.arch} --zip-file fileb://{self.path}"
        )


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.2f} MB"


def default_filename(python: str = "3.12", arch: str = "x86_64", extras: Iterable[str] = ()) -> str:
    """``lamtrace-layer-<version>-py<python>-<arch>[-<extras>].zip``."""
    suffix = "".join(f"-{extra}" for extra in sorted(set(extras)))
    return f"lamtrace-layer-{lamtrace.__version__}-py{python}-{arch}{suffix}.zip"


def canonical_name(name: str) -> str:
    """PEP 503 normalised distribution name (``Python_Dateutil`` -> ``python-dateutil``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _skip(path: Path) -> bool:
    return "__pycache__" in path.parts or path.suffix in (".pyc", ".pyo")


def core_entries() -> dict[str, Path | bytes]:
    """Archive entries for lamtrace's in-function code, under ``python/lamtrace/``."""
    package = Path(lamtrace.__file__).resolve().parent
    entries: dict[str, Path | bytes] = {}
    for path in package.rglob("*"):
        rel = path.relative_to(package)
        if not path.is_file() or _skip(rel) or rel.parts[0] not in IN_LAYER:
            continue
        entries[f"python/lamtrace/{rel.as_posix()}"] = path
    return entries


def dist_info_entries(entries: Mapping[str, Path | bytes]) -> dict[str, bytes]:
    """A minimal installed-distribution record (PEP 376/627) for lamtrace's files among ``entries``."""
    files = {n.removeprefix("python/"): v for n, v in entries.items() if n.startswith("python/lamtrace/")}
    info = f"lamtrace-{lamtrace.__version__}.dist-info"
    metadata = (
        f"Metadata-Version: 2.1\nName: lamtrace\nVersion: {lamtrace.__version__}\nRequires-Python: >=3.10\n"
        "Summary: lamtrace in-function code, packaged as a Lambda layer\n"
    ).encode()
    extra = {f"{info}/METADATA": metadata, f"{info}/INSTALLER": b"lamtrace-layer\n"}
    rows = []
    for name, value in sorted({**files, **extra}.items()):
        data = value if isinstance(value, bytes) else value.read_bytes()
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        rows.append(f"{name},sha256={digest},{len(data)}\n")
    rows.append(f"{info}/RECORD,,\n")
    return {
        f"python/{name}": data for name, data in {**extra, f"{info}/RECORD": "".join(rows).encode()}.items()
    }


def pip_platforms(python: str, arch: str) -> list[str]:
    """Wheel platform tags the target runtime accepts.

    manylinux2014 (glibc 2.17) runs everywhere; Python 3.12+ runtimes are on Amazon Linux 2023 (glibc 2.34),
    which also runs manylinux_2_28 wheels, the only kind some projects still publish for aarch64.
    """
    machine = ARCHITECTURES[arch]
    platforms = [f"manylinux2014_{machine}"]
    if tuple(int(part) for part in python.split(".")) >= (3, 12):
        platforms.append(f"manylinux_2_28_{machine}")
    return platforms


def _pip_install(
    target: Path, requirements: list[str], python: str, arch: str, pip_args: Iterable[str]
) -> None:
    command = [sys.executable, "-m", "pip", "install", "--target", str(target), "--implementation", "cp"]
    command += ["--python-version", python, "--only-binary=:all:", "--no-compile", "--quiet"]
    command += ["--disable-pip-version-check", "--no-warn-script-location"]
    for platform in pip_platforms(python, arch):
        command += ["--platform", platform]
    result = subprocess.run([*command, *pip_args, *requirements], capture_output=True, text=True)
    if result.returncode != 0:
        tail = "\n".join(result.stderr.strip().splitlines()[-5:])
        raise LamtraceError(
            f"pip could not install {' '.join(requirements)} for python{python} {arch}:\n{tail}"
        )


def _read_metadata(dist_info: Path) -> tuple[str, str]:
    name = version = ""
    for line in (dist_info / "METADATA").read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("Name:") and not name:
            name = line.partition(":")[2].strip()
        elif line.startswith("Version:") and not version:
            version = line.partition(":")[2].strip()
        elif not line:
            break
    return name, version


def installed_entries(
    target: Path, *, skip: frozenset[str] = RUNTIME_PROVIDED
) -> tuple[dict[str, Path | bytes], dict[str, str], list[str]]:
    """Archive entries for what pip installed into ``target``, without the distributions named in ``skip``.

    Returns ``(entries, packages, left_out)``. A skipped distribution's files are found through its RECORD.
    Console scripts (``bin/``) are dropped: their shebangs name the build machine's interpreter.
    """
    packages: dict[str, str] = {}
    left_out: list[str] = []
    dropped: set[str] = set()
    for dist_info in sorted(target.glob("*.dist-info")):
        name, version = _read_metadata(dist_info)
        if canonical_name(name) not in skip:
            packages[canonical_name(name)] = version
            continue
        left_out.append(canonical_name(name))
        dropped.add(dist_info.relative_to(target).as_posix() + "/")
        record = dist_info / "RECORD"
        if record.exists():
            with record.open(newline="", encoding="utf-8") as rows:
                dropped.update(row[0] for row in csv.reader(rows) if row)
    entries: dict[str, Path | bytes] = {}
    for path in target.rglob("*"):
        rel = path.relative_to(target)
        name = rel.as_posix()
        if not path.is_file() or _skip(rel) or rel.parts[0] == "bin" or name in dropped:
            continue
        if any(name.startswith(prefix) for prefix in dropped if prefix.endswith("/")):
            continue
        entries[f"python/{name}"] = path
    return entries, packages, sorted(left_out)


def build_layer(
    output: Path,
    *,
    python: str = "3.12",
    arch: str = "x86_64",
    extras: Iterable[str] = (),
    include_runtime_provided: bool = False,
    epoch: int = ZIP_EPOCH,
    pip_args: Iterable[str] = (),
    bytecode: bool | None = None,
) -> LayerBuild:
    """Build the layer zip at ``output`` and describe it.

    ``bytecode``: add ``.pyc`` files (True; needs this interpreter to be ``python``), ship sources only (False), or
    add them when this interpreter is the target Python (None, the default).

    >>> build = build_layer(Path("layer.zip"))               # core only: no network needed
    >>> build = build_layer(Path("otel.zip"), python="3.13", arch="arm64", extras=["otel"])
    """
    if not re.fullmatch(r"3\.\d{1,2}", python) or int(python.split(".")[1]) < 10:
        raise LamtraceError(
            f"--python must be a Lambda Python version 3.10 or newer, like 3.12 (got {python!r})"
        )
    if arch not in ARCHITECTURES:
        raise LamtraceError(f"--arch must be one of {', '.join(ARCHITECTURES)} (got {arch!r})")
    extras = tuple(sorted(set(extras)))
    unknown = [extra for extra in extras if extra not in EXTRA_REQUIREMENTS]
    if unknown:
        raise LamtraceError(f"unknown extra {unknown[0]!r}; choose from {', '.join(EXTRA_REQUIREMENTS)}")
    if bytecode is None:
        bytecode = python == host_python()
    elif bytecode:
        check_interpreter(python)
    entries = core_entries()
    packages = {"lamtrace": lamtrace.__version__}
    left_out: list[str] = []
    with tempfile.TemporaryDirectory(prefix="lamtrace-layer-") as tmp:
        if extras:
            requirements = [req for extra in extras for req in EXTRA_REQUIREMENTS[extra]]
            _pip_install(Path(tmp), requirements, python, arch, pip_args)
            skip = frozenset() if include_runtime_provided else RUNTIME_PROVIDED
            installed, found, left_out = installed_entries(Path(tmp), skip=skip)
            clash = sorted(name for name in installed if name in entries)
            if clash:
                raise LamtraceError(f"an extra installs files lamtrace ships itself: {', '.join(clash[:3])}")
            entries.update(installed)
            packages.update(found)
        not_compiled: list[str] = []
        if bytecode:
            compiled, not_compiled = compile_entries(entries)
            entries.update(compiled)
        entries.update(dist_info_entries(entries))
        output.parent.mkdir(parents=True, exist_ok=True)
        write_zip(output, entries, epoch=epoch)
        unzipped = sum(len(v) if isinstance(v, bytes) else v.stat().st_size for v in entries.values())
    data = output.read_bytes()
    return LayerBuild(
        path=output,
        python=python,
        arch=arch,
        extras=extras,
        sha256=hashlib.sha256(data).hexdigest(),
        zipped_bytes=len(data),
        unzipped_bytes=unzipped,
        files=len(entries),
        packages=dict(sorted(packages.items())),
        left_out=left_out,
        compiled=bytecode,
        not_compiled=not_compiled,
    )
