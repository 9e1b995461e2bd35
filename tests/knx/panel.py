"""The LogicMachine's part in tests: a real xknx client on the same bus as the bridge.

Like the LogicMachine, it holds a value for each of its objects, answers group reads for them
(after `answer_delay_s`, to play a slow panel), and writes them when the "installer" sets them;
everything it receives is queued per address.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from types import TracebackType

from xknx import XKNX
from xknx.io import ConnectionConfig
from xknx.telegram import GroupAddress, Telegram
from xknx.telegram.apci import GroupValueRead, GroupValueResponse, GroupValueWrite

from ttlock_bridge.channels.knx.dpt import Dpt, Payload, Value, decode, encode

WAIT_S = 10.0


class Panel:
    def __init__(self, connection: ConnectionConfig) -> None:
        self.xknx = XKNX(connection_config=connection, telegram_received_cb=self._received)
        self.held: dict[str, Payload] = {}
        self.reads: list[str] = []
        self.answer_delay_s = 0.0
        self._queues: defaultdict[str, asyncio.Queue[Payload]] = defaultdict(asyncio.Queue)

    async def __aenter__(self) -> Panel:
        await self.xknx.start()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        await self.xknx.stop()

    def hold(self, address: str, dpt: Dpt, value: Value) -> None:
        """Keep a value without sending it: the bridge learns it only by reading."""
        self.held[address] = encode(dpt, value)

    def write(self, address: str, dpt: Dpt, value: Value) -> None:
        self.hold(address, dpt, value)
        self._send(address, GroupValueWrite(self.held[address]))

    async def next_value(self, address: str, dpt: Dpt) -> Value:
        """The next value written to `address` by someone else on the bus."""
        async with asyncio.timeout(WAIT_S):
            payload = await self._queues[address].get()
        return decode(dpt, payload)

    def pending(self, address: str) -> int:
        return self._queues[address].qsize()

    def _send(self, address: str, payload: GroupValueWrite | GroupValueResponse) -> None:
        self.xknx.telegrams.put_nowait(Telegram(GroupAddress(address), payload=payload))

    def _received(self, telegram: Telegram) -> None:
        address = str(telegram.destination_address)
        if isinstance(telegram.payload, GroupValueRead):
            self.reads.append(address)
            if address in self.held:
                answer = GroupValueResponse(self.held[address])
                if self.answer_delay_s:
                    loop = asyncio.get_running_loop()
                    loop.call_later(self.answer_delay_s, self._send, address, answer)
                else:
                    self._send(address, answer)
        elif isinstance(telegram.payload, GroupValueWrite):
            self.held[address] = telegram.payload.value
            self._queues[address].put_nowait(telegram.payload.value)
