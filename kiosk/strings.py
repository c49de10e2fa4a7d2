"""Every text the kiosk shows, in Vietnamese first and English for foreign visitors."""

from __future__ import annotations

_language = "vi"

STRINGS: dict[str, tuple[str, str]] = {
    # key: (Vietnamese, English)
    "greeting": ("Xin chào! Tôi có thể giúp gì cho bác?", "Hello! How can I help you?"),
    "home.procedures": ("Hỏi thủ tục", "Procedures"),
    "home.queue": ("Lấy số thứ tự", "Take a queue number"),
    "home.dossier": ("Tra cứu hồ sơ", "Check my dossier"),
    "home.faq": ("Tiện ích & hỏi đáp", "Amenities & questions"),
    "home.staff": ("Gặp cán bộ", "Talk to staff"),
    "home.feedback": ("Góp ý", "Feedback"),
    "home.voice": ("Nhấn để nói", "Press to speak"),
    "home.voice_hint": (
        "Bác có thể nói, ví dụ: “Tôi muốn làm giấy khai sinh cho con”",
        "You can say, for example: “I need a birth certificate”",
    ),
    "home.chat": ("Trò chuyện với trợ lý", "Chat with the assistant"),
    "nav.home": ("Trang chủ", "Home"),
    "nav.back": ("Quay lại", "Back"),
    "nav.text_size": ("Cỡ chữ", "Text size"),
    "nav.contrast": ("Tương phản", "Contrast"),
    "nav.language": ("English", "Tiếng Việt"),
    "read_aloud": ("Đọc to", "Read aloud"),
    "speech.unavailable": (
        "Máy chưa đọc được bằng giọng nói. Mời bác đọc trên màn hình.",
        "Speech is not available on this kiosk. Please read the screen.",
    ),
    "voice.unavailable": (
        "Máy chưa nghe được giọng nói (chưa có micrô hoặc mô hình nhận dạng). "
        "Mời bác chạm vào các nút trên màn hình.",
        "Voice input is not available here. Please use the buttons on the screen.",
    ),
    "voice.idle": ("Nhấn nút để nói", "Press the button to speak"),
    "voice.listening": ("Đang nghe…", "Listening…"),
    "voice.heard": ("Đã nghe:", "Heard:"),
    "voice.thinking": ("Đang suy nghĩ…", "Thinking…"),
    "voice.speaking": ("Đang trả lời…", "Speaking…"),
    "voice.error": ("Không nghe rõ, mời bác nói lại.", "Sorry, I did not catch that."),
    # procedures
    "procedures.title": ("Thủ tục hành chính", "Administrative procedures"),
    "procedures.search_hint": ("Gõ tên thủ tục, ví dụ: khai sinh", "Type a procedure, e.g. birth"),
    "procedures.all_fields": ("Tất cả", "All"),
    "procedures.none_found": ("Không tìm thấy thủ tục nào. Bác thử gõ từ khác.", "No procedure found."),
    "procedures.documents": ("Giấy tờ cần mang", "Documents to bring"),
    "procedures.fee": ("Lệ phí", "Fee"),
    "procedures.time": ("Thời gian giải quyết", "Processing time"),
    "procedures.where": ("Nộp ở đâu", "Where to go"),
    "procedures.online": ("Làm trực tuyến", "Online"),
    "procedures.online_scan": ("Quét mã QR để làm trực tuyến", "Scan the QR code to apply online"),
    "procedures.legal_basis": ("Căn cứ pháp lý", "Legal basis"),
    "procedures.verified_on": ("Thông tin cập nhật ngày {date}", "Last checked on {date}"),
    "procedures.not_verified": (
        "Thông tin chưa được đối chiếu với văn bản; xin hỏi lại cán bộ",
        "Not yet checked against the law; please ask the staff",
    ),
    "procedures.unconfirmed": ("chưa xác nhận, xin hỏi cán bộ", "not confirmed, please ask the staff"),
    "procedures.next_change": ("Từ {date} thay đổi: {facts}", "Changes on {date}: {facts}"),
    "procedures.take_number": ("Lấy số cho thủ tục này", "Take a number for this procedure"),
    "procedures.from_cache": (
        "Máy chủ đang gián đoạn. Thông tin dưới đây là bản lưu ngày {date}.",
        "The server is unavailable. Showing information saved on {date}.",
    ),
    "procedures.no_cache": (
        "Máy chủ đang gián đoạn và máy chưa có bản lưu. Mời bác hỏi cán bộ tại quầy.",
        "The server is unavailable and nothing is saved yet. Please ask at a counter.",
    ),
    # queue
    "queue.title": ("Lấy số thứ tự", "Queue number"),
    "queue.choose_service": ("Bác cần làm việc gì?", "What do you need?"),
    "queue.for_procedure": ("Thủ tục: {name}", "Procedure: {name}"),
    "queue.priority_question": (
        "Bác có thuộc nhóm được ưu tiên không?",
        "Do you belong to a priority group?",
    ),
    "queue.priority_groups": (
        "Người cao tuổi, người khuyết tật, phụ nữ mang thai, người đi cùng trẻ em dưới 6 tuổi",
        "Elderly people, people with disabilities, pregnant women, people with children under 6",
    ),
    "queue.priority_yes": ("Có, tôi được ưu tiên", "Yes, I have priority"),
    "queue.priority_no": ("Không", "No"),
    "queue.which_group": ("Bác thuộc nhóm nào?", "Which group?"),
    "priority.elderly": ("Người cao tuổi", "Elderly"),
    "priority.disabled": ("Người khuyết tật", "Person with a disability"),
    "priority.pregnant": ("Phụ nữ mang thai", "Pregnant woman"),
    "priority.child": ("Đi cùng trẻ em dưới 6 tuổi", "With a child under 6"),
    "queue.issuing": ("Đang lấy số…", "Getting your number…"),
    "queue.take_number": ("Lấy số thường", "Take a walk-in number"),
    "queue.your_number": ("Số của bác", "Your number"),
    "queue.counter": ("Mời đến quầy {counters}", "Please go to counter {counters}"),
    "queue.ahead": ("Trước bác còn {ahead} người", "{ahead} people ahead of you"),
    "queue.ahead_none": ("Bác là người tiếp theo", "You are next"),
    "queue.wait": ("Thời gian chờ dự kiến khoảng {minutes} phút", "Estimated wait about {minutes} minutes"),
    "queue.printed": ("Mời bác nhận phiếu ở khe in bên dưới.", "Please take your ticket below."),
    "queue.saved": (
        "Máy không có máy in: bác hãy nhớ số trên màn hình hoặc chụp ảnh lại.",
        "No printer here: please remember the number or take a photo.",
    ),
    "queue.print_failed": (
        "Máy in đang gặp sự cố (hết giấy hoặc mất kết nối). Số của bác vẫn giữ nguyên: "
        "bác hãy nhớ số trên màn hình hoặc chụp ảnh lại.",
        "The printer has a problem. Your number is kept: please remember it or take a photo.",
    ),
    "queue.unavailable": (
        "Hiện chưa lấy số được vì máy chủ đang gián đoạn. Mời bác đến bàn hướng dẫn để được cấp số.",
        "A number cannot be issued now: the server is unavailable. Please ask at the help desk.",
    ),
    "queue.done": ("Xong", "Done"),
    # dossier
    "dossier.title": ("Tra cứu hồ sơ", "Check a dossier"),
    "dossier.enter_code": (
        "Nhập mã hồ sơ in trên giấy hẹn (dấu chấm và gạch ngang tự điền)",
        "Type the code printed on your receipt",
    ),
    "dossier.letter_needed": ("Bây giờ chọn một chữ cái", "Now choose a letter"),
    "dossier.search": ("Tra cứu", "Look up"),
    "dossier.clear": ("Xóa hết", "Clear"),
    "dossier.delete": ("Xóa", "Delete"),
    "dossier.scan": ("Quét mã trên giấy hẹn", "Scan the receipt"),
    "dossier.scan_unavailable": (
        "Chưa đọc được mã từ máy ảnh. Mời bác gõ mã trên bàn phím số.",
        "The code could not be read from the camera. Please type it.",
    ),
    "dossier.scan_hint": (
        "Bác đưa mã QR hoặc mã vạch trên giấy hẹn lại gần máy ảnh, giữ yên một chút.",
        "Hold the QR or bar code of your receipt close to the camera and keep it still.",
    ),
    "dossier.scan_nothing": (
        "Chưa thấy mã QR hay mã vạch nào. Bác giữ giấy hẹn gần máy ảnh hơn, hoặc gõ mã trên bàn phím số.",
        "No QR or bar code seen yet. Hold the receipt closer, or type the code.",
    ),
    "dossier.scan_no_code": (
        "Mã vừa quét không phải mã hồ sơ. Bác quét mã trên giấy hẹn trả kết quả, hoặc gõ mã.",
        "That code is not a dossier code. Scan the one on your receipt, or type it.",
    ),
    "dossier.scan_stop": ("Thôi quét", "Stop scanning"),
    "dossier.incomplete": ("Mã hồ sơ chưa đủ. Bác kiểm tra lại giấy hẹn.", "The code is not complete."),
    "dossier.searching": ("Đang tra cứu…", "Looking up…"),
    "dossier.not_found": (
        "Không tìm thấy hồ sơ với mã này. Bác kiểm tra lại mã trên giấy hẹn.",
        "No dossier has this code. Please check your receipt.",
    ),
    "dossier.malformed": ("Mã hồ sơ không đúng dạng.", "The code is not valid."),
    "dossier.too_many": (
        "Máy đã tra cứu sai nhiều lần. Mời bác đợi ít phút hoặc hỏi cán bộ.",
        "Too many failed look-ups. Please wait a few minutes or ask staff.",
    ),
    "dossier.unavailable": (
        "Hiện chưa tra cứu được vì máy chủ đang gián đoạn. Mời bác hỏi cán bộ tại quầy.",
        "Look-up is not possible now: the server is unavailable. Please ask at a counter.",
    ),
    "dossier.status": ("Tình trạng", "Status"),
    "dossier.appointment": ("Ngày hẹn trả kết quả", "Appointment date"),
    "dossier.next_step": ("Bác cần làm gì tiếp", "What to do next"),
    "dossier.applicant": ("Người nộp", "Applicant"),
    "dossier.procedure": ("Thủ tục", "Procedure"),
    "dossier.received": ("Ngày nhận hồ sơ", "Received on"),
    "dossier.details": ("Xem chi tiết", "See details"),
    "dossier.verify_prompt": (
        "Để xem chi tiết, bác nhập 4 số cuối số điện thoại đã ghi khi nộp hồ sơ rồi bấm OK",
        "To see the details, type the last 4 digits of the phone number given with the dossier, then OK",
    ),
    "dossier.verify_short": ("Bác nhập đủ 4 số rồi bấm OK.", "Please type all 4 digits, then OK."),
    "dossier.verify_wrong": (
        "4 số cuối điện thoại chưa đúng. Bác kiểm tra lại rồi nhập lại, hoặc hỏi cán bộ tại quầy.",
        "Those 4 digits do not match. Please check and type them again, or ask at a counter.",
    ),
    "dossier.verified": ("Đã xác nhận. Chi tiết hồ sơ:", "Confirmed. Dossier details:"),
    "dossier.note": ("Ghi chú của cán bộ", "Note from the officer"),
    "dossier.no_note": ("Hồ sơ không có ghi chú thêm.", "There is no further note."),
    "dossier.optin_offer": (
        "Nhận tin báo khi hồ sơ có thay đổi (miễn phí), gửi đến số điện thoại ghi trong hồ sơ:",
        "Get a message when the dossier changes (free), sent to the phone number of the dossier:",
    ),
    "dossier.optin_sms_zalo": ("Nhận tin qua SMS và Zalo", "By SMS and Zalo"),
    "dossier.optin_sms": ("Chỉ qua SMS", "SMS only"),
    "dossier.optin_sending": ("Đang đăng ký nhận tin…", "Signing up…"),
    "dossier.optin_done": (
        "Đã đăng ký nhận tin qua {channels} về hồ sơ này, đến số điện thoại ghi trong hồ sơ.",
        "Signed up for messages by {channels} about this dossier, to the dossier's phone number.",
    ),
    "dossier.optin_how_to_stop": (
        "Muốn thôi nhận tin: trả lời tin nhắn bằng chữ TU CHOI, hoặc bấm đường dẫn huỷ ở cuối mỗi tin.",
        "To stop: reply TU CHOI to a message, or open the link at the end of each message.",
    ),
    "dossier.optin_failed": (
        "Chưa đăng ký được nhận tin. Bác thử lại sau, hoặc hỏi cán bộ tại quầy.",
        "Could not sign up for messages. Please try later or ask at a counter.",
    ),
    # faq
    "faq.title": ("Tiện ích & hỏi đáp", "Amenities & questions"),
    "faq.none": ("Chưa có câu hỏi nào.", "No questions yet."),
    # conversation
    "chat.title": ("Trò chuyện với trợ lý", "Assistant"),
    "chat.type_hint": ("Gõ câu hỏi của bác…", "Type your question…"),
    "chat.send": ("Gửi", "Send"),
    "chat.hello": ("Chào bác! Bác cần hỏi gì ạ?", "Hello! What would you like to ask?"),
    "chat.rasa_down": (
        "Trợ lý trò chuyện đang tạm nghỉ. Mời bác chọn bằng các nút dưới đây.",
        "The assistant is not available. Please use the buttons below.",
    ),
    "chat.show_procedure": ("Xem thủ tục", "Open procedure"),
    # staff
    "staff.title": ("Gặp cán bộ", "Talk to staff"),
    "staff.sent": (
        "Đã báo cán bộ. Mời bác đến bàn hướng dẫn, cán bộ sẽ hỗ trợ ngay.",
        "Staff have been told. Please go to the help desk.",
    ),
    "staff.failed": (
        "Chưa báo được cán bộ qua máy. Mời bác đến bàn hướng dẫn ở lối vào.",
        "Could not notify staff. Please go to the help desk at the entrance.",
    ),
    # feedback
    "feedback.title": ("Góp ý", "Feedback"),
    "feedback.question": ("Bác có hài lòng với việc phục vụ hôm nay không?", "How was our service today?"),
    "feedback.comment_hint": ("Ý kiến thêm (không bắt buộc)", "Comment (optional)"),
    "feedback.send": ("Gửi góp ý", "Send"),
    "feedback.thanks": ("Cảm ơn bác đã góp ý!", "Thank you for your feedback!"),
    "feedback.failed": (
        "Chưa gửi được góp ý vì máy chủ đang gián đoạn. Bác có thể góp ý với cán bộ.",
        "Feedback could not be sent now. You can tell staff.",
    ),
    "feedback.choose": ("Bác chọn một khuôn mặt trước nhé.", "Please choose a face first."),
    "rating.1": ("Rất không hài lòng", "Very unhappy"),
    "rating.2": ("Không hài lòng", "Unhappy"),
    "rating.3": ("Bình thường", "Okay"),
    "rating.4": ("Hài lòng", "Happy"),
    "rating.5": ("Rất hài lòng", "Very happy"),
    # idle, exit
    "idle.question": ("Bác còn ở đây không?", "Are you still there?"),
    "idle.explain": (
        "Nếu không, màn hình sẽ tự xóa để bảo vệ thông tin của bác.",
        "If not, the screen will clear itself to protect your information.",
    ),
    "idle.yes": ("Tôi vẫn ở đây", "I'm still here"),
    "exit.title": ("Thoát (chỉ dành cho cán bộ)", "Exit (staff only)"),
    "exit.pin": ("Nhập mã PIN", "Enter PIN"),
    "exit.wrong": ("Mã PIN không đúng.", "Wrong PIN."),
    "exit.disabled": ("Chưa cấu hình mã PIN thoát.", "No exit PIN is configured."),
    "common.cancel": ("Hủy", "Cancel"),
    "common.ok": ("Đồng ý", "OK"),
    "common.retry": ("Thử lại", "Try again"),
    "common.offline": ("Máy chủ đang gián đoạn", "Server unavailable"),
    "keyboard.space": ("dấu cách", "space"),
    "keyboard.telex_on": ("Telex: bật", "Telex: on"),
    "keyboard.telex_off": ("Telex: tắt", "Telex: off"),
}


def set_language(language: str) -> None:
    global _language
    _language = "en" if language == "en" else "vi"


def get_language() -> str:
    return _language


def t(key: str, **values: object) -> str:
    """The text of `key` in the current language, with `{name}` placeholders filled."""
    pair = STRINGS.get(key)
    if pair is None:
        return key
    text = pair[1] if _language == "en" else pair[0]
    return text.format(**values) if values else text
