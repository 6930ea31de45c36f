"""One async implementation, exposed to synchronous callers too.

The graph's nodes and the LangChain tools are written once, as coroutines. ``invoke`` /
``stream`` (nodes) and ``tool.invoke`` (tools) reach them through :func:`blocking`, which runs
the coroutine on a private event loop in a worker thread: it works even when the calling
thread already runs a loop (a notebook), and the caller's context variables are copied, so
``interrupt()``, the run's config and the tool runtime reach the coroutine.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


def blocking(function: Callable[P, Awaitable[T]]) -> Callable[P, T]:
    """A synchronous twin of the coroutine function ``function``."""

    @functools.wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        context = contextvars.copy_context()
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix=function.__name__) as pool:
            return pool.submit(
                context.run, asyncio.run, _awaited(function(*args, **kwargs))
            ).result()

    return run


async def _awaited(awaitable: Awaitable[T]) -> T:
    return await awaitable
