"""The container image's inputs agree with the project (no podman, no network: `make image-test`
builds and runs the image itself).

The Containerfile installs requirements-runtime.lock with `--no-deps`: it must hold exactly the
packages the project's dependencies need (pyproject.toml, followed through the metadata of the
packages installed here from requirements.lock), each pinned as requirements.lock pins it.
"""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)")
HASH = re.compile(r"--hash=(\S+)")


def _pins(path: Path) -> dict[NormalizedName, tuple[str, frozenset[str]]]:
    """name -> (version, hashes) of a `uv pip compile --generate-hashes` file."""
    pins: dict[NormalizedName, tuple[str, set[str]]] = {}
    current: NormalizedName | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if match := PIN.match(line):
            current = canonicalize_name(match[1])
            pins[current] = (match[2], set())
        if current is not None:
            pins[current][1].update(HASH.findall(line))
    return {name: (version, frozenset(hashes)) for name, (version, hashes) in pins.items()}


def _pyproject() -> dict[str, object]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _runtime_closure(requirements: list[str]) -> set[NormalizedName]:
    """Every package `requirements` need here (Linux, this Python), extras followed."""
    needed: set[NormalizedName] = set()
    queue = [Requirement(text) for text in requirements]
    seen: set[tuple[NormalizedName, frozenset[str]]] = set()
    while queue:
        requirement = queue.pop()
        name = canonicalize_name(requirement.name)
        key = (name, frozenset(requirement.extras))
        if key in seen:
            continue
        seen.add(key)
        needed.add(name)
        for text in metadata.distribution(name).requires or []:
            child = Requirement(text)
            if child.marker is None or any(
                child.marker.evaluate({"extra": extra}) for extra in {"", *requirement.extras}
            ):
                queue.append(child)
    return needed


def test_runtime_lock_pins_what_requirements_lock_pins() -> None:
    everything = _pins(ROOT / "requirements.lock")
    runtime = _pins(ROOT / "requirements-runtime.lock")
    assert runtime
    for name, pin in runtime.items():
        assert everything.get(name) == pin, f"{name}: run `make lock`"
    assert all(hashes for _version, hashes in runtime.values())


def test_runtime_lock_is_the_runtime_dependencies_and_nothing_else() -> None:
    project = _pyproject()["project"]
    assert isinstance(project, dict)
    needed = _runtime_closure(project["dependencies"])
    pinned = set(_pins(ROOT / "requirements-runtime.lock"))
    assert needed - pinned == set(), "missing from requirements-runtime.lock: run `make lock`"
    assert pinned - needed == set(), "not needed at run time: run `make lock`"
    dev = {
        canonicalize_name(Requirement(text).name)
        for text in project["optional-dependencies"]["dev"]
    }
    assert not dev & pinned


def test_build_lock_pins_the_build_backend() -> None:
    build_system = _pyproject()["build-system"]
    assert isinstance(build_system, dict)
    pinned = _pins(ROOT / "requirements-build.lock")
    for text in build_system["requires"]:
        requirement = Requirement(text)
        version, hashes = pinned[canonicalize_name(requirement.name)]
        assert requirement.specifier.contains(version), f"{text}: run `make lock`"
        assert hashes


def test_the_build_context_holds_what_the_containerfile_copies() -> None:
    """.dockerignore lets in only what is named; a COPY of anything else would fail."""
    containerfile = (ROOT / "Containerfile").read_text(encoding="utf-8")
    allowed = {
        line[1:].rstrip("/")
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.startswith("!")
    }
    copied = {
        source
        for line in containerfile.splitlines()
        if line.startswith("COPY ") and "--from=" not in line
        for source in line.split()[1:-1]
    }
    assert copied
    assert copied <= allowed
    for name in copied:
        assert (ROOT / name).exists()
