"""Queue: choose a service (or come from a procedure), priority yes/no, then the ticket."""

from __future__ import annotations

import uuid
from functools import partial
from typing import Any

from kivy.properties import ObjectProperty, StringProperty

from contract.errors import BackendError
from contract.resources import Priority, Service, Ticket
from kiosk.ports import BackendApi
from kiosk.presenters.queue import PRIORITY_GROUPS, TicketView, priority_label, ticket_view
from kiosk.repository import unavailable
from kiosk.screens.base import KioskScreen
from kiosk.strings import t
from kiosk.ticket_printing import PrintResult
from kiosk.widgets.base import Card, KButton, KLabel, KTitle, ReadAloudButton, Row


class QueueScreen(KioskScreen):
    step = StringProperty("service")  # service, priority, group, issuing, ticket, error
    ticket = ObjectProperty(None, allownone=True)
    print_message = StringProperty("")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.service_list: list[Service] = []
        self.service_id: str | None = None
        self.procedure_id: str | None = None
        self.procedure_name = ""
        self.priority = "none"
        self.idempotency_key = uuid.uuid4().hex
        self.ticket_image: str | None = None
        self.last_print: PrintResult | None = None

    # ---- flow ---------------------------------------------------------------------------
    def prepare(self, **params: Any) -> None:
        self.ticket = None
        self.ticket_image = None
        self.last_print = None
        self.print_message = ""
        self.priority = "none"
        self.idempotency_key = uuid.uuid4().hex
        self.procedure_id = params.get("procedure_id")
        self.procedure_name = str(params.get("procedure_name") or "")
        self.service_id = params.get("service_id")
        self.services.content.load_services(self._services_loaded)
        if params.get("booking_code"):
            self.check_in(str(params["booking_code"]))
        elif self.procedure_id or self.service_id:
            self.show_priority()
        else:
            self.show_services()

    def reset(self) -> None:
        self.ticket = None
        self.ticket_image = None
        self.procedure_id = None
        self.service_id = None
        self.procedure_name = ""
        self.step = "service"
        self.ids.body.clear_widgets()

    def refresh_language(self) -> None:
        if self.step == "service":
            self.named.pop("services_for", None)
            self.show_services()
        elif self.step == "priority":
            self.show_priority()
        elif self.step == "ticket" and self.ticket is not None:
            self.show_ticket(self.ticket, self.last_print)

    def _services_loaded(self, services: list[Service], _from_cache: bool) -> None:
        changed = services != self.service_list
        self.service_list = services
        if self.step == "service" and changed:
            self.show_services()

    def _body(self, title: str) -> Any:
        body = self.ids.body
        body.clear_widgets()
        body.add_widget(KTitle(text=title))
        return body

    def show_services(self) -> None:
        if (
            self.step == "service"
            and self.named.get("services_for") == self.service_list
            and self.ids.body.children
        ):
            return  # already showing this list
        self.step = "service"
        body = self._body(t("queue.title"))
        body.add_widget(KLabel(text=t("queue.choose_service"), base_size=40))
        for service in self.service_list:
            button = KButton(text=service.name, base_size=42)
            button.service_id = service.id
            button.bind(on_release=partial(self.choose_service, service.id))
            body.add_widget(button)
        if not self.service_list:
            body.add_widget(KLabel(text="…", halign="center"))
        self.named["services_for"] = self.service_list

    def choose_service(self, service_id: str, *_args: Any) -> None:
        self.service_id = service_id
        self.show_priority()

    def show_priority(self) -> None:
        self.step = "priority"
        body = self._body(t("queue.title"))
        if self.procedure_name:
            body.add_widget(
                KLabel(
                    text=t("queue.for_procedure", name=self.procedure_name), color=self.services.theme.muted
                )
            )
        body.add_widget(KLabel(text=f"[b]{t('queue.priority_question')}[/b]", base_size=42))
        body.add_widget(KLabel(text=t("queue.priority_groups"), base_size=36))
        yes = KButton(text=t("queue.priority_yes"), role="primary", base_size=44)
        yes.bind(on_release=lambda _b: self.show_groups())
        no = KButton(text=t("queue.priority_no"), role="secondary", base_size=44)
        no.bind(on_release=lambda _b: self.issue("none"))
        self.named["priority_no"] = no
        self.named["priority_yes"] = yes
        body.add_widget(yes)
        body.add_widget(no)

    def show_groups(self) -> None:
        self.step = "group"
        body = self._body(t("queue.which_group"))
        for group in PRIORITY_GROUPS:
            button = KButton(text=priority_label(group), base_size=42)
            button.priority = group
            button.bind(on_release=partial(lambda g, *_a: self.issue(g), group))
            body.add_widget(button)

    def issue(self, priority: str) -> None:
        self.priority = priority
        self.step = "issuing"
        body = self._body(t("queue.title"))
        body.add_widget(KLabel(text=t("queue.issuing"), halign="center", base_size=44))
        key, service_id, procedure_id = self.idempotency_key, self.service_id, self.procedure_id

        def work(backend: BackendApi) -> Ticket:
            return backend.issue_ticket(
                service_id=None if procedure_id else service_id,
                procedure_id=procedure_id,
                priority=Priority(priority),
                idempotency_key=key,
            )

        self.services.content.call(work, self._issued, self._failed)

    def check_in(self, code: str) -> None:
        """The ticket of a booking (its code scanned from the booking page's QR code)."""
        self.step = "issuing"
        body = self._body(t("queue.title"))
        body.add_widget(KLabel(text=t("queue.issuing"), halign="center", base_size=44))
        self.services.content.call(
            lambda backend: backend.check_in_booking(code).ticket, self._issued, self._booking_failed
        )

    def _booking_failed(self, error: BackendError) -> None:
        """A booking that cannot give a ticket here (unknown, cancelled, another day): why, and
        the way to a walk-in number."""
        if unavailable(error):
            self._failed(error)
            return
        self.step = "error"
        body = self._body(t("queue.title"))
        body.add_widget(KLabel(text=error.message or t("queue.unavailable"), base_size=40))
        walk_in = KButton(text=t("queue.take_number"), role="primary")
        walk_in.bind(on_release=lambda _b: self.show_services())
        self.named["walk_in"] = walk_in
        body.add_widget(walk_in)

    def _issued(self, ticket: Ticket) -> None:
        view = ticket_view(ticket, self.service_list or self.services.content.snapshot.services)
        if view.priority == "none" and self.priority != "none":
            view.priority = self.priority
        self.ticket = view
        self.show_ticket(view, None)
        # Rendering and printing can take a moment (USB, network): off the UI thread.
        printer = self.services.ticket_printer
        self.services.background.run(lambda: printer.issue(view), self._printed, self._print_crashed)

    def _printed(self, result: PrintResult) -> None:
        self.last_print = result
        self.ticket_image = str(result.path)
        if self.ticket is not None:
            self.show_ticket(self.ticket, result)

    def _print_crashed(self, _err: BaseException) -> None:
        # Even a crash while rendering keeps the ticket on screen.
        self.print_message = t("queue.print_failed")
        if self.ticket is not None:
            self.show_ticket(self.ticket, None, failed=True)

    def _failed(self, error: BackendError) -> None:
        self.step = "error"
        body = self._body(t("queue.title"))
        message = t("queue.unavailable") if unavailable(error) else (error.message or t("queue.unavailable"))
        body.add_widget(KLabel(text=message, base_size=40))
        # Retrying sends the same Idempotency-Key: a ticket made before a timeout is not doubled.
        retry = KButton(text=t("common.retry"), role="primary")
        retry.bind(on_release=lambda _b: self.issue(self.priority))
        self.named["retry"] = retry
        body.add_widget(retry)
        home = KButton(text=t("nav.home"), role="secondary")
        home.bind(on_release=lambda _b: self.services.nav.go_home())
        body.add_widget(home)

    def show_ticket(self, view: TicketView, result: PrintResult | None, failed: bool = False) -> None:
        self.step = "ticket"
        body = self._body(t("queue.your_number"))
        card = Card()
        number = KLabel(text=f"[b]{view.number}[/b]", base_size=220, halign="center")
        self.named["ticket_number"] = number
        card.add_widget(number)
        if view.service_name:
            card.add_widget(KLabel(text=view.service_name, halign="center", base_size=34))
        for line in (view.counter_line, view.ahead_line, view.wait_line):
            if line:
                card.add_widget(KLabel(text=line, halign="center", base_size=44))
        body.add_widget(card)
        if result is not None:
            self.print_message = result.message
        elif failed:
            self.print_message = t("queue.print_failed")
        if self.print_message:
            error = failed or (result is not None and result.error_code is not None)
            notice = KLabel(text=self.print_message, base_size=36, halign="center")
            if error:
                notice.color = self.services.theme.danger
            self.named["print_notice"] = notice
            body.add_widget(notice)
        if self.ticket_image:
            from kivy.uix.image import Image

            slip = Image(
                source=self.ticket_image,
                size_hint_y=None,
                height=self.services.theme.u * 560,
                fit_mode="contain",
            )
            self.named["ticket_image"] = slip
            body.add_widget(slip)
        row = Row()
        row.add_widget(ReadAloudButton(speech_text=view.speech_text))
        done = KButton(text=t("queue.done"), role="primary")
        done.bind(on_release=lambda _b: self.services.nav.go_home())
        row.add_widget(done)
        body.add_widget(row)
