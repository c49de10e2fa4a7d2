"""Rasa components for Vietnamese as citizens type it and as the recogniser writes it.

- `VietnameseTokenizer`: words in NFC, lower-case, abbreviations expanded ("llpt" -> "lý lịch tư
  pháp"), each token's `lemma` is its diacritic-free view ("lý" -> "ly") so featurizers with
  `use_lemma: true` see the same features with or without diacritics.
- `VietnameseEntityExtractor`: procedure / field ids from every alias in the training data
  (synonyms + lookup tables, matched without diacritics, longest first) and canonical dossier
  codes, typed in any form or read aloud as words.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from vntext.dossier_code import find_typed_dossier_code

from .text import (
    Alias,
    AliasMatcher,
    alias_key,
    find_spoken_code,
    fold,
    pick_entities,
    split_words,
)

logger = logging.getLogger(__name__)

ALIAS_ENTITIES = ("procedure", "field")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class VietnameseTokenizer(Tokenizer):
    """Whitespace/punctuation tokenizer with Vietnamese normalisation (see module doc)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
            # extra abbreviations {"abbr": "expansion"} on top of the built-in ones
            "abbreviations": {},
        }

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> VietnameseTokenizer:
        return cls(config)

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        text = message.get(attribute) or ""
        words = split_words(text, self._config.get("abbreviations") or {})
        tokens = [Token(word.text, word.start, end=word.end, lemma=word.folded) for word in words]
        if not tokens:
            tokens = [Token(text or "_", 0, end=len(text), lemma=fold(text) or "_")]
        return self._apply_token_pattern(tokens)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class VietnameseEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Procedure / field ids from aliases, and dossier codes (see module doc)."""

    FILE_NAME = "aliases.json"

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"spoken_codes": True}

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        aliases: list[dict[str, Any]] | None = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._set_aliases(aliases or [])

    def _set_aliases(self, aliases: list[dict[str, Any]]) -> None:
        self.alias_rows = aliases
        table: dict[tuple[str, ...], Alias] = {}
        for row in aliases:
            key = tuple(row["words"])
            if not key:
                continue
            alias = Alias(row["entity"], row["value"], bool(row.get("weak")))
            current = table.get(key)
            # A strong alias wins over a weak one for the same words.
            if current is None or (current.weak and not alias.weak):
                table[key] = alias
        self.matcher = AliasMatcher(table)

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> VietnameseEntityExtractor:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Aliases from the lookup tables named `<entity>:<id>` or `<entity>_weak:<id>`."""
        rows: list[dict[str, Any]] = []
        for table in training_data.lookup_tables:
            name = str(table.get("name", ""))
            kind, _, value = name.partition(":")
            entity = kind.removesuffix("_weak")
            if entity not in ALIAS_ENTITIES or not value:
                continue
            for element in table.get("elements", []):
                words = list(alias_key(str(element)))
                if words:
                    rows.append(
                        {"words": words, "entity": entity, "value": value, "weak": kind.endswith("_weak")}
                    )
        self._set_aliases(rows)
        self.persist()
        return self._resource

    def persist(self) -> None:
        with self._model_storage.write_to(self._resource) as directory:
            (directory / self.FILE_NAME).write_text(json.dumps(self.alias_rows, ensure_ascii=False), "utf-8")

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> VietnameseEntityExtractor:
        try:
            with model_storage.read_from(resource) as directory:
                rows = json.loads((directory / cls.FILE_NAME).read_text("utf-8"))
        except (ValueError, FileNotFoundError):
            logger.warning("No alias table stored for %s; entities of aliases are off.", cls.__name__)
            rows = []
        return cls(config, model_storage, resource, rows)

    def extract(self, text: str) -> list[dict[str, Any]]:
        entities: list[dict[str, Any]] = []
        typed = find_typed_dossier_code(text)
        if typed is not None:
            code, start, end = typed
            entities.append({"entity": "dossier_code", "value": code, "start": start, "end": end})
            rest = text[:start] + " " * (end - start) + text[end:]
        else:
            rest = text
            spoken = find_spoken_code(text) if self._config["spoken_codes"] else None
            if spoken is not None:
                entities.append({"entity": "dossier_code", "value": spoken, "start": 0, "end": len(text)})
        for entity in pick_entities(rest, self.matcher):
            entity["text"] = text[int(entity["start"]) : int(entity["end"])]
            entities.append(entity)
        for entity in entities:
            entity.setdefault("text", text[entity["start"] : entity["end"]])
            entity["confidence_entity"] = 1.0
        return entities

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            found = self.add_extractor_name(self.extract(text))
            message.set(ENTITIES, message.get(ENTITIES, []) + found, add_to_output=True)
        return messages
