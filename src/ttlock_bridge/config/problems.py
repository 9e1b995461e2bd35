"""What is wrong with a configuration file, said so a person can fix it without guessing."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

_MISSING = object()


@dataclass(frozen=True, slots=True)
class Problem:
    """One mistake: where it is (file and key path), what was written, and what to do."""

    file: Path
    key: str
    message: str
    value: object = _MISSING

    @property
    def has_value(self) -> bool:
        return self.value is not _MISSING

    def __str__(self) -> str:
        where = f"{self.file}: {self.key}" if self.key else str(self.file)
        shown = f" = {self.value!r}" if self.has_value else ""
        return f"{where}{shown}: {self.message}"


class ConfigError(Exception):
    """The configuration cannot be used; `problems` lists every mistake, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))
