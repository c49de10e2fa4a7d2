"""Demo dossiers for trying the look-up on the embedded default."""

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.models import ProcedureRecord
from backend.schemas import DossierUpsert
from backend.services import dossiers

DEMO = [
    # (code, status, applicant, phone, days received ago, days until appointment, note)
    ("000.00.12.H26-250701-0001", "dang_xu_ly", "Nguyễn Văn An", "0912345671", 3, 2, None),
    (
        "000.00.12.H26-250701-0002",
        "yeu_cau_bo_sung",
        "Trần Thị Bình",
        "0987654322",
        5,
        None,
        "Bổ sung bản sao giấy chứng nhận kết hôn của cha mẹ.",
    ),
    ("000.00.12.H26-250702-0003", "da_xu_ly_xong", "Lê Hoàng Cường", "0903111223", 6, 0, None),
    (
        "000.00.12.H26-250702-0004",
        "yeu_cau_nghia_vu_tai_chinh",
        "Phạm Thị Dung",
        "0938222334",
        4,
        None,
        "Nộp lệ phí trước bạ theo thông báo của cơ quan thuế.",
    ),
    ("000.00.12.H26-250703-0005", "da_tra_ket_qua", "Hoàng Minh Em", "0977444555", 10, -2, None),
    ("000.00.12.H26-250703-0006", "da_tiep_nhan", "Võ Thị Giang", "0966555666", 1, 5, None),
]


def seed_demo(session: Session, now: datetime) -> list[dict[str, str]]:
    procedure_ids = list(session.scalars(select(ProcedureRecord.id).order_by(ProcedureRecord.id)))
    today = now.date()
    rows = []
    for index, (code, status, name, phone, received, appointment, note) in enumerate(DEMO):
        procedure_id = procedure_ids[index % len(procedure_ids)] if procedure_ids else "khai_sinh"
        body = DossierUpsert(
            procedure_id=procedure_id,
            status=status,  # type: ignore[arg-type]
            applicant_name=name,
            phone=phone,
            received_on=today - timedelta(days=received),
            appointment_on=None if appointment is None else today + timedelta(days=appointment),
            note=note,
        )
        dossiers.upsert(session, code, body, "demo-seed", now)
        rows.append({"code": code, "verify": phone[-4:], "status": status, "procedure_id": procedure_id})
    return rows
