"""Speech errors: one class with a stable `code` and a Vietnamese message for the citizen."""

from __future__ import annotations

# Stable codes, as they appear in `error` events, and what the citizen is told.
MESSAGES: dict[str, str] = {
    "audio-device-missing": "Không tìm thấy micrô. Bạn có thể gõ câu hỏi hoặc dùng màn hình cảm ứng.",
    "audio-file-invalid": "Không đọc được tệp âm thanh (cần tệp WAV).",
    "stt-model-missing": (
        "Chức năng nghe giọng nói chưa sẵn sàng. Bạn vẫn dùng được màn hình cảm ứng hoặc gõ câu hỏi."
    ),
    "stt-no-speech": "Tôi chưa nghe thấy bạn nói. Bạn nói lại giúp tôi nhé.",
    "stt-no-text": "Xin lỗi, tôi chưa nghe rõ. Bạn nói lại chậm hơn một chút giúp tôi nhé.",
    "stt-failed": "Xin lỗi, bộ nhận dạng giọng nói đang gặp lỗi.",
    "wake-timeout": "Không nghe thấy câu gọi robot.",
    "intent-unavailable": (
        "Xin lỗi, hệ thống trả lời đang tạm gián đoạn. Mời bạn dùng màn hình cảm ứng "
        "hoặc hỏi cán bộ tại quầy hướng dẫn."
    ),
    "intent-empty": (
        "Xin lỗi, tôi chưa trả lời được câu này. Mời bạn hỏi cán bộ tại quầy hướng dẫn "
        "hoặc dùng màn hình cảm ứng."
    ),
    "intent-timeout": "Xin lỗi, hệ thống trả lời chậm quá. Bạn hỏi lại sau ít phút giúp tôi nhé.",
    "tts-failed": "Không đọc được câu trả lời thành tiếng; câu trả lời vẫn hiện trên màn hình.",
    "tts-timeout": "Đọc câu trả lời quá lâu nên đã dừng.",
    "model-download-failed": "Tải mô hình không thành công.",
    "model-unverified": "Mô hình đã tải về nhưng chưa được cài vì chưa có mã SHA-256 để kiểm tra.",
    "model-checksum-mismatch": (
        "Tệp mô hình tải về bị hỏng (mã kiểm tra SHA-256 không khớp) nên đã bị loại bỏ."
    ),
}


# What the operator is told to do (CLI, logs), beside the citizen's message.
OPERATOR_HINTS: dict[str, str] = {
    "stt-model-missing": (
        "Chưa có mô hình nhận dạng tiếng Việt: chạy `letan speech models download vi` "
        "hoặc đặt LETAN_SPEECH__MODEL_DIR tới thư mục mô hình Vosk."
    ),
    "audio-device-missing": "Máy không có micrô (hoặc PortAudio không thấy thiết bị thu âm nào).",
    "intent-unavailable": "Máy chủ Rasa không trả lời: chạy `letan nlu serve` hoặc kiểm tra LETAN_RASA_URL.",
    "intent-empty": "Rasa không gửi câu trả lời nào (máy chủ hành động `letan nlu actions` có chạy không?).",
}


class SpeechError(Exception):
    """A failure of the speech pipeline, with a stable `code` and a Vietnamese `message`."""

    def __init__(self, code: str, detail: str | None = None) -> None:
        self.code = code
        self.message = MESSAGES.get(code, "Xin lỗi, đã có lỗi xảy ra.")
        self.detail = detail
        self.hint = OPERATOR_HINTS.get(code)
        super().__init__(f"{code}: {detail}" if detail else code)
