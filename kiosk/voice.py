"""The seam to `speech/`: the "Đọc to" speaker and the voice pipeline's events.

Both are optional: when the speech package, the speech engine, the microphone or the model is
missing, `available` is False and the kiosk says so and keeps working by touch.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Mapping
from typing import Any

from speech.events import PipelineEvent

logger = logging.getLogger(__name__)

EventCallback = Callable[[PipelineEvent], None]


class VoiceBridge:
    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self.speaker: Any = None
        self.pipeline: Any = None
        self._listeners: list[EventCallback] = []

    # text to speech
    def start(self) -> None:
        """Build the voice pipeline when a microphone and a speech model are present, and a
        speaker when there is a sound output; anything missing leaves that part off."""
        if not self.enabled:
            return
        try:
            sources = importlib.import_module("speech.sources")
            stt = importlib.import_module("speech.stt_vosk")
            speech_settings = importlib.import_module("speech.settings").get_settings()
            if sources.input_device_available() and stt.model_is_installed(speech_settings.model_dir):
                pipeline, speaker = importlib.import_module("speech.factory").build_pipeline(speech_settings)
                self.attach_pipeline(pipeline)
                self.speaker = speaker if self._can_play() else None
        except Exception as err:
            logger.info("voice pipeline unavailable: %s", type(err).__name__)
            self.pipeline = None
        self.start_speaker()

    def _can_play(self) -> bool:
        try:
            return bool(importlib.import_module("speech.tts").output_device_available())
        except Exception:
            return False

    def start_speaker(self) -> bool:
        """Create the speech engine's Speaker when the package and a sound output are present."""
        if not self.enabled or self.speaker is not None:
            return self.speaker is not None
        try:
            tts = importlib.import_module("speech.tts")
            if tts.output_device_available():
                self.speaker = tts.Speaker()
            else:
                logger.info("text to speech off: no sound output")
        except Exception as err:
            logger.info("text to speech unavailable: %s", type(err).__name__)
            self.speaker = None
        return self.speaker is not None

    @property
    def can_speak(self) -> bool:
        return self.speaker is not None

    def say(self, text: str) -> bool:
        if self.speaker is None:
            return False
        try:
            self.speaker.say(text)
        except Exception as err:
            logger.warning("text to speech failed: %s", type(err).__name__)
            return False
        return True

    def stop_speaking(self) -> None:
        if self.speaker is not None:
            try:
                self.speaker.stop()
            except Exception as err:
                logger.debug("speaker stop failed: %s", type(err).__name__)

    # speech to text
    def attach_pipeline(self, pipeline: Any) -> None:
        """Subscribe to a `speech.pipeline.VoicePipeline`'s events."""
        self.pipeline = pipeline
        pipeline.subscribe(self._on_pipeline_event)

    @property
    def can_listen(self) -> bool:
        return self.pipeline is not None and callable(getattr(self.pipeline, "listen_once", None))

    def listen(self, sender: str = "kiosk") -> bool:
        """One voice turn in the pipeline's thread; the turn talks to Rasa as `sender`."""
        if not self.can_listen:
            return False
        try:
            self.pipeline.listen_once(sender=sender)
        except Exception as err:
            logger.warning("voice pipeline failed: %s", type(err).__name__)
            return False
        return True

    def subscribe(self, callback: EventCallback) -> None:
        self._listeners.append(callback)

    def _on_pipeline_event(self, event: PipelineEvent | Mapping[str, Any]) -> None:
        """Pass a pipeline event on as its own class (its `to_dict()` form is decoded back)."""
        if not isinstance(event, PipelineEvent):
            try:
                event = PipelineEvent.from_dict(event)
            except ValueError as err:
                logger.warning("voice event dropped: %s", err)
                return
        for callback in list(self._listeners):
            callback(event)

    def close(self) -> None:
        self.stop_speaking()
        for name in ("close", "stop"):
            closer = getattr(self.pipeline, name, None)
            if callable(closer):
                try:
                    closer()
                except Exception as err:
                    logger.debug("pipeline %s failed: %s", name, type(err).__name__)
                break
