"""Speech errors: one class with a stable `code` and a Vietnamese message for the citizen."""

from __future__ import annotations

# Stable codes, as they appear in `error` events, and what the citizen is told.
MESSAGES: dict[str, str] = {
    "audio-device-missing": "Không tìm thấy micrô. Bạn có thể gõ câu hỏi hoặc dùng màn hình cảm ứng.",
    "audio-file-invalid": "Không đọc được tệp âm thanh (cần tệp WAV).",
    "stt-model-missing": (
        "Chưa có mô hình nhận dạng tiếng Việt. Hãy chạy lệnh `letan speech models download vi`; "
        "trong lúc chờ, bạn vẫn dùng được màn hình cảm ứng."
    ),
    "stt-no-speech": "Tôi chưa nghe thấy bạn nói. Bạn nói lại giúp tôi nhé.",
    "stt-no-text": "Xin lỗi, tôi chưa nghe rõ. Bạn nói lại chậm hơn một chút giúp tôi nhé.",
    "stt-failed": "Xin lỗi, bộ nhận dạng giọng nói đang gặp lỗi.",
    "wake-timeout": "Không nghe thấy câu gọi robot.",
    "intent-unavailable": (
        "Xin lỗi, hệ thống trả lời đang tạm gián đoạn. Mời bạn dùng màn hình cảm ứng "
        "hoặc hỏi cán bộ tại quầy hướng dẫn."
    ),
    "intent-timeout": "Xin lỗi, hệ thống trả lời chậm quá. Bạn hỏi lại sau ít phút giúp tôi nhé.",
    "tts-failed": "Không đọc được câu trả lời thành tiếng; câu trả lời vẫn hiện trên màn hình.",
    "tts-timeout": "Đọc câu trả lời quá lâu nên đã dừng.",
    "model-download-failed": "Tải mô hình không thành công.",
    "model-checksum-mismatch": (
        "Tệp mô hình tải về bị hỏng (mã kiểm tra SHA-256 không khớp) nên đã bị loại bỏ."
    ),
}


class SpeechError(Exception):
    """A failure of the speech pipeline, with a stable `code` and a Vietnamese `message`."""

    def __init__(self, code: str, detail: str | None = None) -> None:
        self.code = code
        self.message = MESSAGES.get(code, "Xin lỗi, đã có lỗi xảy ra.")
        self.detail = detail
        super().__init__(f"{code}: {detail}" if detail else code)
