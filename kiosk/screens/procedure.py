"""One procedure's card: documents checklist, fee, time, where, online (QR), legal basis, checked date."""

from __future__ import annotations

from typing import Any

from kivy.properties import BooleanProperty, ObjectProperty, StringProperty

from contract.resources import Procedure
from kiosk.presenters.procedures import ProcedureCard, procedure_card
from kiosk.screens.base import KioskScreen
from kiosk.strings import t
from kiosk.widgets.base import Card, KButton, KLabel, KTitle, QRCodeImage, ReadAloudButton, Row


class ProcedureScreen(KioskScreen):
    procedure_id = StringProperty("")
    from_cache = BooleanProperty(False)
    card = ObjectProperty(None, allownone=True)
    loading = BooleanProperty(False)

    def prepare(self, **params: Any) -> None:
        procedure_id = str(params.get("procedure_id") or "")
        if procedure_id and (procedure_id != self.procedure_id or self.card is None):
            self.procedure_id = procedure_id
            self.load()

    def reset(self) -> None:
        self.procedure_id = ""
        self.card = None
        self.ids.body.clear_widgets()

    def refresh_language(self) -> None:
        if self.card is not None:
            self.render(self.card)

    def load(self) -> None:
        self.loading = True
        self.ids.body.clear_widgets()
        self.ids.body.add_widget(KLabel(text="…", halign="center"))
        wanted = self.procedure_id

        def on_result(detail: Procedure | None, from_cache: bool) -> None:
            if wanted != self.procedure_id:
                return
            self.loading = False
            self.from_cache = from_cache
            if detail is None:
                self.card = None
                self.ids.body.clear_widgets()
                self.ids.body.add_widget(KLabel(text=t("procedures.no_cache"), halign="center"))
                return
            self.render(procedure_card(detail))

        self.services.content.load_procedure(wanted, on_result)

    def render(self, card: ProcedureCard) -> None:
        self.card = card
        body = self.ids.body
        body.clear_widgets()
        u = self.services.theme.u
        head = Row()
        head.add_widget(KTitle(text=card.name))
        head.add_widget(ReadAloudButton(speech_text=card.speech_text))
        body.add_widget(head)
        body.add_widget(KLabel(text=card.field_name, color=self.services.theme.muted, base_size=30))

        docs = Card()
        docs.add_widget(
            KLabel(text=f"[b]{card.stated('documents', t('procedures.documents'))}[/b]", base_size=38)
        )
        for number, document in enumerate(card.documents, start=1):
            docs.add_widget(KLabel(text=f"{number}.  {document}"))
        body.add_widget(docs)

        facts = Card()
        for label, value in (
            (t("procedures.fee"), card.fee_text),
            (t("procedures.time"), card.time_text),
            (t("procedures.where"), card.where),
        ):
            facts.add_widget(KLabel(text=f"[b]{label}:[/b] {value}"))
        if card.next_change:
            facts.add_widget(KLabel(text=f"[b]{card.next_change}[/b]"))
        body.add_widget(facts)

        online = Card()
        online.add_widget(KLabel(text=f"[b]{t('procedures.online')}:[/b] {card.online_text}"))
        if card.online_available and card.online_url:
            qr_row = Row()
            qr = QRCodeImage(data=card.online_url, size_hint=(None, None), size=(u * 300, u * 300))
            qr_row.add_widget(qr)
            qr_row.add_widget(KLabel(text=t("procedures.online_scan") + "\n" + card.online_url, base_size=28))
            qr_row.height = u * 300
            online.add_widget(qr_row)
        body.add_widget(online)

        legal = Card()
        legal.add_widget(KLabel(text=f"[b]{t('procedures.legal_basis')}[/b]", base_size=30))
        for item in card.legal_basis:
            legal.add_widget(KLabel(text=f"•  {item}", base_size=28))
        checked = (
            t("procedures.verified_on", date=card.verified_on)
            if card.verified_on
            else t("procedures.not_verified")
        )
        legal.add_widget(KLabel(text=checked, base_size=28))
        body.add_widget(legal)

        take = KButton(text=t("procedures.take_number"), role="ok", base_size=42)
        take.bind(on_release=lambda _b: self.take_number())
        self.ids.take_box.clear_widgets()
        self.ids.take_box.add_widget(take)
        self.ids.scroll.scroll_y = 1

    def take_number(self) -> None:
        if self.card is not None:
            self.services.nav.go(
                "queue",
                procedure_id=self.card.id,
                procedure_name=self.card.name,
                service_id=self.card.service_id,
            )
