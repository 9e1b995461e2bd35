"""Operator accounts of the front-desk console: a name, a role and an Argon2 password hash.

Names are case-insensitive: stored in lower case (`Anna` is added as `anna`) and looked up
whatever the case they are typed in, so `Anna` and `anna` are one account.
The CLI (`ttlock-bridge users ...`) manages them and the console checks sign-ins against them.
Methods are synchronous (a transaction and, for passwords, about 50 ms of Argon2): async
callers run them in a worker thread. Passwords are never stored, logged or echoed.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from ttlock_bridge.clock import Clock
from ttlock_bridge.store import Operator, OperatorRole, Store
from ttlock_bridge.store.operators import find_operator, forget_sessions, list_operators
from ttlock_bridge.text import unsafe_character

log = logging.getLogger("ttlock_bridge.accounts")

NAME_PATTERN: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
MIN_PASSWORD_LENGTH: Final = 10
MAX_PASSWORD_LENGTH: Final = 256


class AccountProblem(ValueError):
    """A name or password the rules refuse, or an account that is (or is not) there; the
    message says what to do and never holds the password."""


@dataclass(frozen=True, slots=True)
class Account:
    """An operator as the console and the CLI see it (no hash)."""

    name: str
    role: OperatorRole
    created_at_ms: int


class Accounts:
    """The operators in the store."""

    def __init__(self, store: Store, clock: Clock, hasher: PasswordHasher | None = None) -> None:
        self._store = store
        self._clock = clock
        self._hasher = hasher or PasswordHasher()
        self._decoy = self._hasher.hash("no such operator")

    def add(self, name: str, password: str, role: OperatorRole = OperatorRole.DESK) -> Account:
        """Create an account named `name` in lower case; raises `AccountProblem` for a bad name
        or password, or a name that is taken (in any case)."""
        checked = checked_operator_name(name)
        password_hash = self._hasher.hash(checked_password(password))
        now_ms = self._clock()
        with self._store.transaction() as session:
            if find_operator(session, checked) is not None:
                raise AccountProblem(f"an operator named {checked!r} exists already")
            operator = Operator(
                name=checked,
                role=role,
                password_hash=password_hash,
                created_at_ms=now_ms,
                password_changed_at_ms=now_ms,
            )
            session.add(operator)
        log.info("event=operator_added operator=%s role=%s", checked, role.value)
        return _account(operator)

    def all(self) -> list[Account]:
        """Every account, by name."""
        with self._store.transaction() as session:
            return [_account(operator) for operator in list_operators(session)]

    def remove(self, name: str) -> None:
        """Delete the account and end its sessions; raises `AccountProblem` if there is none."""
        with self._store.transaction() as session:
            operator = self._existing(session, name)
            removed = operator.name
            session.delete(operator)
        log.info("event=operator_removed operator=%s", removed)

    def set_password(self, name: str, password: str) -> None:
        """Replace the password and end every session the account had; raises
        `AccountProblem` for an unknown name or a password the rules refuse."""
        password_hash = self._hasher.hash(checked_password(password))
        with self._store.transaction() as session:
            operator = self._existing(session, name)
            operator.password_hash = password_hash
            operator.password_changed_at_ms = self._clock()
            forget_sessions(session, operator_id=operator.id)
            changed = operator.name
        log.info("event=operator_password_changed operator=%s", changed)

    def verify(self, name: str, password: str) -> Account | None:
        """The account when `password` is its password, else None. An unknown name costs the
        same Argon2 work as a known one, so timing does not tell which names exist."""
        with self._store.transaction() as session:
            operator = find_operator(session, name)
            password_hash = operator.password_hash if operator else self._decoy
            try:
                self._hasher.verify(password_hash, password[:MAX_PASSWORD_LENGTH])
            except (VerificationError, InvalidHashError):
                return None
            if operator is None:
                return None
            if self._hasher.check_needs_rehash(operator.password_hash):
                operator.password_hash = self._hasher.hash(password)
            return _account(operator)

    @staticmethod
    def _existing(session: Session, name: str) -> Operator:
        operator = find_operator(session, name)
        if operator is None:
            raise AccountProblem(f"no operator named {name!r} (see `ttlock-bridge users list`)")
        return operator


def checked_operator_name(name: str) -> str:
    """`name` in lower case when it is 1-64 letters, digits, '.', '_', '@' or '-' starting
    with a letter or digit; raises `AccountProblem` otherwise."""
    if NAME_PATTERN.fullmatch(name) is None:
        raise AccountProblem(
            "an operator name is 1-64 letters, digits, '.', '_', '@' or '-', "
            "starting with a letter or digit"
        )
    return name.lower()


def shown_name(typed: str) -> str:
    """A name as someone typed it, fit for a log line: cut at 64 characters, and every
    character no operator name can hold written as '?' (a typed name may be anything)."""
    return "".join(
        character if NAME_PATTERN.fullmatch(f"a{character}") else "?" for character in typed[:64]
    )


def checked_password(password: str) -> str:
    """`password` when it is 10-256 characters with no control characters; raises
    `AccountProblem` otherwise."""
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise AccountProblem(
            f"a password is {MIN_PASSWORD_LENGTH}-{MAX_PASSWORD_LENGTH} characters: "
            "a few words make a long one that is easy to type"
        )
    if unsafe_character(password) is not None:
        raise AccountProblem("a password may not hold control or direction characters")
    return password


def _account(operator: Operator) -> Account:
    return Account(name=operator.name, role=operator.role, created_at_ms=operator.created_at_ms)
