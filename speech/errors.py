"""Speech errors: one class with a stable `code` and a Vietnamese message for the citizen."""

from __future__ import annotations

from speech.events import ErrorCode

# What the citizen is told, for each stable code of `ErrorCode` (as in `error` events).
MESSAGES: dict[ErrorCode, str] = {
    ErrorCode.AUDIO_DEVICE_MISSING: "Không tìm thấy micrô. Bạn có thể gõ câu hỏi hoặc dùng màn hình cảm ứng.",
    ErrorCode.AUDIO_FILE_INVALID: "Không đọc được tệp âm thanh (cần tệp WAV).",
    ErrorCode.STT_MODEL_MISSING: (
        "Chức năng nghe giọng nói chưa sẵn sàng. Bạn vẫn dùng được màn hình cảm ứng hoặc gõ câu hỏi."
    ),
    ErrorCode.STT_NO_SPEECH: "Tôi chưa nghe thấy bạn nói. Bạn nói lại giúp tôi nhé.",
    ErrorCode.STT_NO_TEXT: "Xin lỗi, tôi chưa nghe rõ. Bạn nói lại chậm hơn một chút giúp tôi nhé.",
    ErrorCode.STT_FAILED: "Xin lỗi, bộ nhận dạng giọng nói đang gặp lỗi.",
    ErrorCode.WAKE_TIMEOUT: "Không nghe thấy câu gọi robot.",
    ErrorCode.INTENT_UNAVAILABLE: (
        "Xin lỗi, hệ thống trả lời đang tạm gián đoạn. Mời bạn dùng màn hình cảm ứng "
        "hoặc hỏi cán bộ tại quầy hướng dẫn."
    ),
    ErrorCode.INTENT_EMPTY: (
        "Xin lỗi, tôi chưa trả lời được câu này. Mời bạn hỏi cán bộ tại quầy hướng dẫn "
        "hoặc dùng màn hình cảm ứng."
    ),
    ErrorCode.INTENT_TIMEOUT: "Xin lỗi, hệ thống trả lời chậm quá. Bạn hỏi lại sau ít phút giúp tôi nhé.",
    ErrorCode.TTS_FAILED: "Không đọc được câu trả lời thành tiếng; câu trả lời vẫn hiện trên màn hình.",
    ErrorCode.TTS_TIMEOUT: "Đọc câu trả lời quá lâu nên đã dừng.",
    ErrorCode.MODEL_DOWNLOAD_FAILED: "Tải mô hình không thành công.",
    ErrorCode.MODEL_UNVERIFIED: "Mô hình đã tải về nhưng chưa được cài vì chưa có mã SHA-256 để kiểm tra.",
    ErrorCode.MODEL_CHECKSUM_MISMATCH: (
        "Tệp mô hình tải về bị hỏng (mã kiểm tra SHA-256 không khớp) nên đã bị loại bỏ."
    ),
}


# What the operator is told to do (CLI, logs), beside the citizen's message.
OPERATOR_HINTS: dict[ErrorCode, str] = {
    ErrorCode.STT_MODEL_MISSING: (
        "Chưa có mô hình nhận dạng tiếng Việt: chạy `letan speech models download vi` "
        "hoặc đặt LETAN_SPEECH__MODEL_DIR tới thư mục mô hình Vosk."
    ),
    ErrorCode.AUDIO_DEVICE_MISSING: "Máy không có micrô (hoặc PortAudio không thấy thiết bị thu âm nào).",
    ErrorCode.INTENT_UNAVAILABLE: (
        "Máy chủ Rasa không trả lời: chạy `letan nlu serve` hoặc kiểm tra LETAN_RASA_URL."
    ),
    ErrorCode.INTENT_EMPTY: (
        "Rasa không gửi câu trả lời nào (máy chủ hành động `letan nlu actions` có chạy không?)."
    ),
}


class SpeechError(Exception):
    """A failure of the speech pipeline, with a stable `code` and a Vietnamese `message`."""

    def __init__(self, code: ErrorCode | str, detail: str | None = None) -> None:
        self.code = ErrorCode(code)  # an unknown code is a bug: ValueError
        self.message = MESSAGES[self.code]
        self.detail = detail
        self.hint = OPERATOR_HINTS.get(self.code)
        super().__init__(f"{self.code}: {detail}" if detail else str(self.code))
