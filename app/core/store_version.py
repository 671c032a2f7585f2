"""The store version: one number that database triggers bump on every change, read on a
connection of its own, never on the event loop's thread, for the response cache.

See the migration that creates `store_version`: any INSERT, UPDATE or DELETE on the data
tables increments it in the same transaction, so it changes exactly when the data does.
It is the one read that takes no session: a cache hit must not wait for the pool, the
threadpool or the admission gate.
"""

import asyncio
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

VERSION_QUERY = "SELECT version FROM store_version WHERE id = 1"


class VersionReader:
    """Reads the store version; None when the database cannot tell (the cache stands aside).

    Postgres: one async connection of its own. SQLite: one connection of its own, used by
    one thread of its own, so the check neither blocks the event loop nor competes with
    requests for the pool or the threadpool.

    Requests share reads: every request that arrives while a read runs waits for the
    next read, which starts when the running one ends and answers all of them. A read
    answers only requests that arrived before it started, so each sees every write
    committed before it arrived, and under load one read serves many requests.
    """

    def __init__(self, engine: Engine) -> None:
        url = make_url(engine.url)
        self._postgres = url.get_backend_name() == "postgresql"
        self._conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._sqlite_path = url.database or ":memory:"
        self._connection: psycopg.AsyncConnection[Any] | None = None
        self._sqlite: sqlite3.Connection | None = None
        self._sqlite_thread: ThreadPoolExecutor | None = None
        self._waiting: list[asyncio.Future[int | None]] = []
        self._reads: asyncio.Task[None] | None = None

    async def current(self) -> int | None:
        waiter: asyncio.Future[int | None] = asyncio.get_running_loop().create_future()
        self._waiting.append(waiter)
        if self._reads is None:
            self._reads = asyncio.create_task(self._serve_waiting())
        return await waiter

    async def _serve_waiting(self) -> None:
        batch: list[asyncio.Future[int | None]] = []
        try:
            while self._waiting:
                batch, self._waiting = self._waiting, []
                try:
                    version = await self._read()
                except Exception as error:  # every waiter gets it, the reads go on
                    for waiter in batch:
                        if not waiter.done():
                            waiter.set_exception(error)
                    continue
                for waiter in batch:
                    if not waiter.done():  # a waiter whose client left is cancelled
                        waiter.set_result(version)
        finally:
            self._reads = None
            for waiter in (*batch, *self._waiting):  # only when the reads are cancelled
                waiter.cancel()

    async def _read(self) -> int | None:
        if not self._postgres:
            if self._sqlite_thread is None:
                self._sqlite_thread = ThreadPoolExecutor(1, thread_name_prefix="store-version")
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._sqlite_thread, self._sqlite_version)
        try:
            if self._connection is None or self._connection.closed:
                self._connection = await psycopg.AsyncConnection.connect(
                    self._conninfo, autocommit=True, connect_timeout=2
                )
            cursor = await self._connection.execute(VERSION_QUERY)
            row = await cursor.fetchone()
        except psycopg.Error:
            await self._close_postgres()
            return None
        return int(row[0]) if row else None

    def _sqlite_version(self) -> int | None:
        # Runs only on the one store-version thread, so the connection is never shared.
        if self._sqlite_path == ":memory:":
            return None  # a private in-memory database: nothing to be coherent with
        try:
            if self._sqlite is None:
                # mode=rw: never create a missing file; query_only: this connection only reads.
                uri = Path(self._sqlite_path).absolute().as_uri() + "?mode=rw"
                self._sqlite = sqlite3.connect(uri, uri=True, check_same_thread=False)
                self._sqlite.execute("PRAGMA query_only = ON")
            row = self._sqlite.execute(VERSION_QUERY).fetchone()
        except sqlite3.Error:
            self._close_sqlite()
            return None
        return int(row[0]) if row else None

    def _close_sqlite(self) -> None:
        if self._sqlite is not None:
            self._sqlite.close()
            self._sqlite = None

    async def _close_postgres(self) -> None:
        if self._connection is not None:
            await self._connection.close()
            self._connection = None

    async def close(self) -> None:
        if self._reads is not None:
            self._reads.cancel()
            await asyncio.gather(self._reads, return_exceptions=True)
        await self._close_postgres()
        if self._sqlite_thread is not None:
            await asyncio.get_running_loop().run_in_executor(
                self._sqlite_thread, self._close_sqlite
            )
            self._sqlite_thread.shutdown(wait=True)
            self._sqlite_thread = None
