"""The reconciler: moves every placement toward what its grant wants, one cloud step at a time.

DESIGN.md invariants 1-3 live here. The ledger records the intent before each cloud call and the
outcome right after; a step whose outcome was never heard is resolved by finding our tagged
passcode on the lock (adoption) instead of creating a second one; failures are retried with
backoff, and deletions never give up. Offline placements follow their own steps (`planner`):
issued by the cloud, left to expire where no gateway can remove them early.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import replace
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError

from ttlock_bridge.access import ledger
from ttlock_bridge.access.code_kinds import (
    FALLBACK_FAILED,
    CodeKinds,
    fallback_failed,
    from_fallback,
)
from ttlock_bridge.access.leases import PlacementLeases
from ttlock_bridge.access.news import GrantBulletin, GrantNews, grant_news
from ttlock_bridge.access.passcode_policy import ALL_KEYS, common_keys, generate_code
from ttlock_bridge.access.passcode_tag import parse_tag
from ttlock_bridge.access.planner import (
    Add,
    Change,
    Delete,
    DeleteRecord,
    Expire,
    Find,
    Forget,
    Held,
    Issue,
    Nothing,
    Passcode,
    Step,
    Wait,
    next_step,
    offline_fallback_due,
    retry_delay_ms,
)
from ttlock_bridge.access.time_window import HOUR_MS, format_local
from ttlock_bridge.access.transactions import Transactions
from ttlock_bridge.clock import Clock
from ttlock_bridge.cloud import (
    AuthError,
    PasscodeType,
    TransportError,
    TTLockClient,
    TTLockError,
)
from ttlock_bridge.cloud import Passcode as CloudPasscode
from ttlock_bridge.locks.gateways import NO_GATEWAY

log = logging.getLogger("ttlock_bridge.reconciler")

MAX_STEPS_PER_PLACEMENT = 6
"""Find, then change or add, plus a few more after a duplicate: a bound against surprises."""

DUPLICATE_CODE = -3007
PASSCODE_NOT_FOUND = -2009
NEVER_USED = -3008
"""A random (offline) code never used on the lock cannot be deleted or changed (§8.1)."""
PERIOD_DELETED = -1026
"""keyboardPwd/get: this lock's period code for these hours was issued and deleted before."""
OTHER_HOURS = ((0, 1), (-1, 0), (0, 2), (-2, 0), (0, 3), (-3, 0))
"""When a stay's whole hours cannot give it an offline code of its own (-1026: issued and
deleted before; or another stay on the lock holds that code: TTLock gives one code per lock
and hours, reference §8.1), the hours asked next: (start, end) moved by that many hours, an
hour more at either end, up to three. The door's window shows the hours it got."""


class Reconciler:
    """Moves placements toward their grants; safe to run again at any time, even after a crash.

    One grant is reconciled at a time per grant (its doors in order), many grants at once; the
    cloud client serialises the commands that reach the same lock. A placement is worked on by
    one replica at a time (`leases`): one another process holds is left to it.
    """

    def __init__(
        self,
        transactions: Transactions,
        cloud: TTLockClient,
        zone: ZoneInfo,
        *,
        clock: Clock,
        code_length: int = 6,
        deny_codes: Collection[str] = (),
        keypads: Mapping[int, str] | None = None,
        bulletin: GrantBulletin,
        kinds: CodeKinds,
        leases: PlacementLeases,
        rng: random.Random | None = None,
    ) -> None:
        """`keypads`: the keys of each lock's keypad by lockId (all ten digits if absent);
        `bulletin` is told of every grant whose door moved (placed, failed, removed); `kinds`
        says which doors go offline and whether a gateway may reach them; `leases` are this
        replica's placement leases."""
        self.leases = leases
        self._kinds = kinds
        self._transactions = transactions
        self._cloud = cloud
        self._zone = zone
        self._clock = clock
        self._code_length = code_length
        self._deny_codes = frozenset(deny_codes)
        self._keypads = dict(keypads or {})
        self._bulletin = bulletin
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not secrets
        self._grant_locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._issuing: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        """One offline issue at a time per lock: two stays never take the same record."""

    async def run_pass(self, grant_ids: Collection[int] | None = None) -> int:
        """Reconcile every grant with work to do (or only `grant_ids`); returns how many."""
        due = await self._transactions(ledger.grants_with_work, grant_ids)
        await asyncio.gather(*(self.reconcile_grant(grant_id) for grant_id in due))
        return len(due)

    async def reconcile_grant(self, grant_id: int) -> None:
        """Move each placement of one grant, door after door (those another replica works on
        are left to it)."""
        news: GrantNews | None = None  # read once, when a first door moved
        async with self._grant_locks[grant_id]:
            placement_ids = await self._transactions(ledger.placement_ids_of, grant_id)
            mine = await self.leases.claim(placement_ids)
            try:
                for placement_id in mine:
                    moved = await self._reconcile_placement(placement_id)
                    await self.leases.release([placement_id])
                    if moved:
                        news = news or await self._transactions(grant_news, grant_id)
                        if news is not None:
                            await self._bulletin.tell(news)
            finally:
                await self.leases.release(mine)  # the ones a failure left held

    async def _reconcile_placement(self, placement_id: int) -> bool:
        """Take the placement's steps until it has nothing to do now; True if it moved."""
        moved = False
        for _ in range(MAX_STEPS_PER_PLACEMENT):
            work = await self._transactions(ledger.load_work, placement_id, self._zone)
            if work is None:
                return moved
            work = replace(
                work, view=replace(work.view, gateway=self._kinds.has_gateway(work.lock_id))
            )
            if self._falls_back(work):
                reason = self._kinds.fallback_reason()
                log.warning(
                    "door %s (grant %s) goes offline (%s)", work.door, work.grant_tag, reason
                )
                await self._transactions(
                    ledger.go_offline, work.placement_id, reason, self._clock()
                )
                moved = True
                continue
            step = next_step(work.view, self._clock())
            if isinstance(step, Nothing | Wait):
                return moved
            if not self.leases.holds(placement_id):
                return moved  # the lease lapsed (a stall, the database out of reach): not ours
            moved = True
            try:
                await self._perform(work, step)
            except TTLockError as error:
                if not await self._recover(work, step, error):
                    await self._fail(work, step, error)
                    return moved
        return moved

    def _falls_back(self, work: ledger.Work) -> bool:
        if fallback_failed(work.kind_reason) or not self._kinds.may_fall_back(work.lock_id):
            return False
        return offline_fallback_due(
            work.view,
            waiting_since_ms=work.waiting_since_ms,
            starts_ms=work.starts_ms,
            now_ms=self._clock(),
            after_ms=self._kinds.fallback_after_ms,
            window_ms=self._kinds.fallback_window_ms,
        )

    async def _perform(self, work: ledger.Work, step: Step) -> None:
        lock_id = work.lock_id
        match step:
            case Forget():
                await self._settle(work, None)
            case Find():
                found = await self._find_ours(lock_id, work.grant_tag)
                if found is None or not await self._claim(work, found):
                    await self._settle(work, None)  # not there, or another stay's (offline)
            case Add(passcode):
                await self._transactions(ledger.begin_attempt, work.placement_id, self._clock())
                passcode_id = await self._cloud.add_passcode(
                    lock_id,
                    passcode.code,
                    name=passcode.name,
                    start_ms=passcode.start_ms,
                    end_ms=passcode.end_ms,
                )
                await self._settle(work, Held(passcode_id, passcode))
            case Change(passcode_id, passcode):
                before = work.view.held.passcode if work.view.held is not None else None
                window_changed = before is None or (before.start_ms, before.end_ms) != (
                    passcode.start_ms,
                    passcode.end_ms,
                )
                await self._transactions(ledger.begin_attempt, work.placement_id, self._clock())
                await self._cloud.change_passcode(
                    lock_id,
                    passcode_id,
                    name=_if_changed(before.name if before else None, passcode.name),
                    new_code=_if_changed(before.code if before else None, passcode.code),
                    start_ms=passcode.start_ms if window_changed else None,
                    end_ms=passcode.end_ms if window_changed else None,
                )
                await self._settle(work, Held(passcode_id, passcode))
            case Delete(passcode_id):
                await self._transactions(ledger.begin_attempt, work.placement_id, self._clock())
                await self._cloud.delete_passcode(lock_id, passcode_id)
                await self._settle(work, None)
            case Issue(passcode):
                await self._transactions(ledger.begin_attempt, work.placement_id, self._clock())
                await self._issue(work, passcode)
            case DeleteRecord(passcode_id):
                await self._transactions(ledger.begin_attempt, work.placement_id, self._clock())
                await self._cloud.delete_passcode(lock_id, passcode_id, on_lock=False)
                await self._settle(work, None)
            case Expire(_, until_ms):
                await self._expire(work, until_ms, "the lock has no gateway")

    async def _issue(self, work: ledger.Work, passcode: Passcode) -> None:
        """An offline period code of the placement's own for `passcode`'s window (reference
        §8.1), or for `OTHER_HOURS` when TTLock refuses those hours or gives a code another
        stay on the lock holds; settled before the next issue on the lock may begin."""
        async with self._issuing[work.lock_id]:  # spares a useless call; the store decides
            for start_shift, end_shift in ((0, 0), *OTHER_HOURS):
                hours = Passcode(
                    "",
                    passcode.start_ms + start_shift * HOUR_MS,
                    passcode.end_ms + end_shift * HOUR_MS,
                    passcode.name,
                )
                try:
                    issued = await self._cloud.random_passcode(
                        work.lock_id,
                        PasscodeType.PERIOD,
                        start_ms=hours.start_ms,
                        end_ms=hours.end_ms,
                        name=passcode.name,
                    )
                except TTLockError as error:
                    if error.errcode != PERIOD_DELETED:
                        raise
                    continue
                held = Held(issued.keyboard_pwd_id, replace(hours, code=issued.keyboard_pwd))
                if await self._claim(work, held):
                    return
        instead = (
            'set mode = "online" for this door (it has a gateway)'
            if self._kinds.has_gateway(work.lock_id)
            else 'give this door a gateway and mode = "online"'
        )
        raise TTLockError(
            None,
            "no hours near the stay's give it an offline code of its own on this lock",
            f"door {work.door}: TTLock gives one offline code per lock and hours, and every "
            "hour up to three before and after this stay's is taken by another stay or was "
            f"used before: give the stay other times, or {instead}",
        )

    async def _claim(self, work: ledger.Work, held: Held) -> bool:
        """Settle `held` as the placement's, unless another live placement holds that cloud
        record: the store refuses two (TTLock gives one offline code per lock and hours, and
        two stays holding one would share a guest's code, whichever process made them)."""
        try:
            await self._settle(work, held)
        except IntegrityError:
            return False
        return True

    async def _expire(self, work: ledger.Work, until_ms: int, why: str) -> None:
        """An offline code withdrawn before its end stays on the lock until then (§8.1)."""
        until = format_local(until_ms, self._zone)
        guidance = (
            f"{why}: the offline code on door {work.door} cannot be removed before its end, "
            f"it expires by itself at {until}. To stop it sooner, delete it through the lock "
            "in the TTLock app (Bluetooth, standing at the door)."
        )
        log.info(
            "offline code on door %s (grant %s) expires by itself at %s",
            work.door,
            work.grant_tag,
            until,
        )
        await self._transactions(
            ledger.expire, work.placement_id, until_ms, guidance, self._clock()
        )

    async def _recover(self, work: ledger.Work, step: Step, error: TTLockError) -> bool:
        """Turn the answers that tell us the lock's real state into a settled ledger row."""
        if error.errcode == PASSCODE_NOT_FOUND and isinstance(step, Change | Delete | DeleteRecord):
            await self._settle(work, None)  # already gone: a delete is done, a change re-adds
            return True
        if await self._recover_offline(work, step, error):
            return True
        if error.errcode == NO_GATEWAY and isinstance(step, Add):
            reason = self._kinds.without_gateway(work.lock_id)
            if reason is not None:
                log.info("door %s (grant %s) goes offline (%s)", work.door, work.grant_tag, reason)
                await self._transactions(
                    ledger.go_offline, work.placement_id, reason, self._clock()
                )
                return True
        if error.errcode == DUPLICATE_CODE and isinstance(step, Add):
            return await self._on_duplicate(work, step.passcode)
        if isinstance(step, Change) and not _retry_later(error):
            return await self._replace(work, step, error)
        return False

    async def _recover_offline(self, work: ledger.Work, step: Step, error: TTLockError) -> bool:
        """The answers about offline codes that settle a placement: a delete TTLock will never
        do (it stays to its end), a fallback that cannot get a code (back online)."""
        if (
            work.view.offline
            and isinstance(step, Delete)
            and work.view.held is not None
            and error.errcode in (NEVER_USED, NO_GATEWAY)
        ):  # TTLock will not delete it, now or later: it stays to its end
            why = (
                "it was never used on the lock, and TTLock deletes such a code only after its "
                "first use"
                if error.errcode == NEVER_USED
                else "no gateway reaches the lock"
            )
            await self._expire(work, work.view.held.passcode.end_ms, why)
            return True
        if isinstance(step, Issue) and from_fallback(work.kind_reason) and not _retry_later(error):
            log.warning(
                "door %s (grant %s): the offline fallback failed (errcode %s), back online",
                work.door,
                work.grant_tag,
                error.errcode,
            )
            failed = f"{FALLBACK_FAILED}{error.guidance}"
            await self._transactions(ledger.back_online, work.placement_id, failed, self._clock())
            return True
        return False

    async def _replace(self, work: ledger.Work, step: Change, refusal: TTLockError) -> bool:
        """A change no retry can bring (e.g. -4043) must not leave the old code or window on the
        lock (a disclosed code, a shortened stay): delete the passcode, then add it anew."""
        log.warning(
            "change of the passcode on door %s (grant %s) refused for good (errcode %s): "
            "deleting it to add it anew",
            work.door,
            work.grant_tag,
            refusal.errcode,
        )
        await self._transactions(ledger.begin_attempt, work.placement_id, self._clock())
        try:
            await self._cloud.delete_passcode(work.lock_id, step.keyboard_pwd_id)
        except TTLockError as error:
            if error.errcode != PASSCODE_NOT_FOUND:
                return False
        await self._settle(work, None)
        return True

    async def _on_duplicate(self, work: ledger.Work, passcode: Passcode) -> bool:
        """-3007: adopt the code if it is ours; give a generated code a fresh value if we may."""
        same_code = [
            found
            async for found in self._cloud.passcodes(work.lock_id, search=passcode.code)
            if found.keyboard_pwd == passcode.code
        ]
        ours = next(
            (p for p in same_code if parse_tag(p.keyboard_pwd_name) == work.grant_tag), None
        )
        if ours is not None:
            await self._settle(work, _held(ours))
            return True
        if not work.code_generated:
            return False
        if await self._transactions(ledger.others_may_hold, work.placement_id):
            return False
        code = await self._fresh_code(work.grant_id)
        await self._transactions(ledger.replace_code, work.grant_id, code, self._clock())
        log.info(
            "grant %s: generated code clashed on lock %s, drew a new one",
            work.grant_tag,
            work.lock_id,
        )
        return True

    async def _fresh_code(self, grant_id: int) -> str:
        taken: set[str] = set()
        lock_ids = await self._transactions(ledger.lock_ids_of, grant_id)
        for lock_id in lock_ids:
            taken |= {found.keyboard_pwd async for found in self._cloud.passcodes(lock_id)}
        keys = common_keys(self._keypads.get(lock_id, ALL_KEYS) for lock_id in lock_ids)
        return generate_code(self._code_length, avoid=taken, deny=self._deny_codes, keys=keys)

    async def _find_ours(self, lock_id: int, grant_tag: str) -> Held | None:
        """Our tagged passcode on the lock, if the cloud has it (newest first)."""
        async for found in self._cloud.passcodes(lock_id, search=grant_tag):
            if parse_tag(found.keyboard_pwd_name) == grant_tag:
                return _held(found)
        return None

    async def _fail(self, work: ledger.Work, step: Step, error: TTLockError) -> None:
        in_doubt = isinstance(error, TransportError) and isinstance(step, Add | Change | Delete)
        retryable = _retry_later(error)
        removing = work.view.wanted is None
        stalled = not (retryable or removing or in_doubt)
        failures = await self._transactions(ledger.attempts_of, work.placement_id)
        failure = ledger.Failure(
            errcode=error.errcode,
            error=error.message,
            guidance=_guidance(error, work),
            in_doubt=in_doubt,
            stalled=stalled,
            next_attempt_ms=None
            if stalled
            else self._clock() + retry_delay_ms(max(failures, 1), self._rng),
        )
        log.warning(
            "placement on door %s (grant %s) %s: errcode=%s %s",
            work.door,
            work.grant_tag,
            "failed" if stalled else "will be retried",
            error.errcode,
            error.message,
        )
        await self._transactions(ledger.record_failure, work.placement_id, failure, self._clock())

    async def _settle(self, work: ledger.Work, held: Held | None) -> None:
        await self._transactions(ledger.settle, work.placement_id, held, self._clock(), self._zone)


def _retry_later(error: TTLockError) -> bool:
    """Whether a later try may succeed without anyone touching this placement. A refused login
    is the account's problem, not the placement's: once a person fixes the credentials every
    waiting placement must go on (the session fails fast meanwhile)."""
    return error.retry_later or isinstance(error, AuthError)


def _held(found: CloudPasscode) -> Held:
    return Held(
        found.keyboard_pwd_id,
        Passcode(
            code=found.keyboard_pwd,
            start_ms=found.start_date or 0,
            end_ms=found.end_date or 0,
            name=found.keyboard_pwd_name or "",
        ),
    )


def _if_changed(before: str | None, after: str) -> str | None:
    """TTLock's change call changes only what it is given: send a field only when it differs."""
    return None if before == after else after


def _guidance(error: TTLockError, work: ledger.Work) -> str:
    if error.errcode == DUPLICATE_CODE:
        return (
            f"door {work.door} already holds this code under a passcode ttlock-bridge did not "
            "create: give the grant another code, or remove that passcode in the TTLock app"
        )
    return error.guidance
