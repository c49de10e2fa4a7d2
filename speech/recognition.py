"""One utterance's speech recognition in a worker thread, so that feeding audio never blocks the
voice pipeline (`speech.pipeline`)."""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable, Iterator

from speech.errors import SpeechError
from speech.events import ErrorCode
from speech.stt_vosk import SttResult, VoskRecognizer


class Utterance:
    """One utterance's recognition in a worker thread: `accept` never blocks the caller.

    Partial results go to `on_partial` (throttled) until `ending()`; `final` waits for the
    worker to catch up and returns the result."""

    def __init__(
        self,
        recognizer: VoskRecognizer,
        grammar: str | list[str] | None,
        on_partial: Callable[[str], None] | None,
        partial_interval_s: float,
    ) -> None:
        self._recognizer = recognizer
        self._grammar = grammar
        self._on_partial = on_partial
        self._interval = partial_interval_s
        self._emit_lock = threading.Lock()
        self._ended = False
        self._last_partial = 0.0
        self._stream = recognizer.stream(grammar)
        self.grammar_name = self._stream.grammar_name
        self._queue: queue.Queue[bytes | None] = queue.Queue()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._work, name="letan-stt", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        while True:
            frame = self._queue.get()
            if frame is None:
                return
            if self._error is not None:
                continue
            try:
                partial = self._stream.accept(frame)
            except Exception as err:  # Kaldi errors surface in final()
                self._error = err
                continue
            if partial and self._on_partial is not None:
                now = time.monotonic()
                with self._emit_lock:
                    if not self._ended and now - self._last_partial >= self._interval:
                        self._last_partial = now
                        self._on_partial(partial)

    def accept(self, frame: bytes) -> None:
        self._queue.put(frame)

    def restart(self) -> None:
        """Forget what was heard (a click) and start a fresh recognition."""
        self._queue.put(None)
        self._thread.join()
        self._stream = self._recognizer.stream(self._grammar)
        self._queue = queue.Queue()
        self._thread = threading.Thread(target=self._work, name="letan-stt", daemon=True)
        self._thread.start()

    @contextlib.contextmanager
    def ending(self) -> Iterator[None]:
        """No partial result is emitted after this block (it emits `vad-end`)."""
        with self._emit_lock:
            self._ended = True
            yield

    def final(self, timeout_s: float) -> SttResult:
        self._queue.put(None)
        self._thread.join(timeout_s)
        if self._thread.is_alive():
            raise SpeechError(ErrorCode.STT_FAILED, f"bộ nhận dạng chưa xong sau {timeout_s} s")
        if self._error is not None:
            raise SpeechError(ErrorCode.STT_FAILED, str(self._error)) from self._error
        return self._stream.final()

    def close(self) -> None:
        self._ended = True
        if self._thread.is_alive():
            self._queue.put(None)
