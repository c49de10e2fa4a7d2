"""The content the screens show, from the backend, or from the offline cache when it is down.

Every backend call runs in the background (`Background`) and comes back on the UI thread; an
unreachable backend raises the offline banner, the next answer lowers it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from kivy.event import EventDispatcher
from kivy.properties import StringProperty

from contract.errors import BackendError, BackendUnavailableError
from contract.resources import Faq, Procedure, ProcedureSummary, Service
from kiosk.background import Background
from kiosk.cache import ContentCache, ContentSnapshot
from kiosk.ports import BackendApi
from kiosk.presenters.formatting import vn_date
from kiosk.presenters.procedures import rank_procedures, search_procedures
from kiosk.strings import t

logger = logging.getLogger(__name__)

CONTENT_SYNC_SECONDS = 600.0  # the offline cache is refreshed this often while the kiosk runs
T = TypeVar("T")


def unavailable(error: BackendError) -> bool:
    """The backend did not answer (as opposed to refusing the request)."""
    return isinstance(error, BackendUnavailableError)


class ContentRepository(EventDispatcher):
    banner_text = StringProperty("")  # the offline notice shown above every screen
    site_name = StringProperty("")

    def __init__(
        self,
        backend: BackendApi,
        cache: ContentCache,
        background: Background,
        clock: Callable[[], float],
        site_name: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.backend = backend
        self.cache = cache
        self.background = background
        self.clock = clock
        self.site_name = site_name
        self.snapshot = ContentSnapshot()
        self.next_sync_at: float | None = None

    # ---- the offline cache ----------------------------------------------------------------
    def load_cache(self) -> None:
        self.snapshot = self.cache.load()
        self._apply_site()

    def _apply_site(self) -> None:
        if self.snapshot.site is not None and self.snapshot.site.name:
            self.site_name = self.snapshot.site.name

    def sync(self) -> None:
        """Refresh the cache from the backend (in the background), then every CONTENT_SYNC_SECONDS."""
        self.next_sync_at = self.clock() + CONTENT_SYNC_SECONDS
        backend = self.backend

        def done(snapshot: ContentSnapshot) -> None:
            self.snapshot = snapshot
            self._apply_site()
            self.set_offline(False)

        def failed(err: BaseException) -> None:
            logger.info("content sync failed: %s", getattr(err, "code", type(err).__name__))

        self.background.run(lambda: self.cache.sync(backend), done, failed)

    def tick(self) -> None:
        if self.next_sync_at is not None and self.clock() >= self.next_sync_at:
            self.sync()

    def set_offline(self, offline: bool) -> None:
        if offline:
            when = vn_date(self.snapshot.synced_at) if self.snapshot.synced_at else ""
            self.banner_text = t("procedures.from_cache", date=when) if when else t("common.offline")
        else:
            self.banner_text = ""

    # ---- calls ------------------------------------------------------------------------------
    def call(
        self,
        work: Callable[[BackendApi], T],
        on_done: Callable[[T], None],
        on_error: Callable[[BackendError], None],
    ) -> None:
        """Run `work(backend)` in the background; an unreachable backend raises the offline banner."""
        backend = self.backend

        def done(result: T) -> None:
            if self.banner_text:
                self.set_offline(False)
            on_done(result)

        def failed(err: BaseException) -> None:
            error = (
                err if isinstance(err, BackendError) else BackendUnavailableError("backend_error", str(err))
            )
            if unavailable(error):
                self.set_offline(True)
            on_error(error)

        self.background.run(lambda: work(backend), done, failed)

    def find_procedures(
        self,
        query: str,
        field_id: str | None,
        on_result: Callable[[list[ProcedureSummary] | list[Procedure], bool], None],
    ) -> None:
        def offline(_err: BackendError) -> None:
            on_result(search_procedures(self.snapshot.procedures, query, field_id), True)

        def online(found: list[ProcedureSummary]) -> None:
            on_result(rank_procedures(found, query), False)

        self.call(lambda b: b.procedures(q=query or None, field=field_id), online, offline)

    def load_procedure(self, procedure_id: str, on_result: Callable[[Procedure | None, bool], None]) -> None:
        def offline(err: BackendError) -> None:
            on_result(self.snapshot.procedure(procedure_id), unavailable(err))

        self.call(lambda b: b.procedure(procedure_id), lambda r: on_result(r, False), offline)

    def load_faq(self, on_result: Callable[[list[Faq], bool], None]) -> None:
        self.call(
            lambda b: b.faqs(), lambda r: on_result(r, False), lambda _e: on_result(self.snapshot.faq, True)
        )

    def load_services(self, on_result: Callable[[list[Service], bool], None]) -> None:
        self.call(
            lambda b: b.services(),
            lambda r: on_result(r, False),
            lambda _e: on_result(self.snapshot.services, True),
        )
