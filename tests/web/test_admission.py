"""A server worker never has more requests in progress than database connections: the others wait their turn
(were they let in, requests holding connections could wait for threads that wait for connections, and the
worker would stall until the pool's timeout — pages stopped under 50 users before this gate)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import httpx
from starlette.responses import PlainTextResponse

from caisse.web.app import Admission


def test_requests_beyond_the_limit_wait_their_turn_and_all_are_answered():
    inside, most = 0, 0

    async def slow_page(scope, receive, send):
        nonlocal inside, most
        inside += 1
        most = max(most, inside)
        await asyncio.sleep(0.05)
        inside -= 1
        await PlainTextResponse("ok")(scope, receive, send)

    async def run():
        transport = httpx.ASGITransport(app=Admission(slow_page, limit=3))
        nonlocal most
        async with httpx.AsyncClient(transport=transport, base_url="http://fund") as client:
            pages = await asyncio.gather(*(client.get("/") for _ in range(12)))
            at_most = most
            most = 0
            health = await asyncio.gather(*(client.get("/health") for _ in range(6)))  # not counted: all at once
        return pages, at_most, health

    with ThreadPoolExecutor(1) as thread:  # a loop of its own (a browser test may hold this thread's loop)
        pages, at_most, health = thread.submit(asyncio.run, run()).result()
    assert [p.status_code for p in pages] == [200] * 12 and at_most == 3
    assert [p.status_code for p in health] == [200] * 6 and most == 6
