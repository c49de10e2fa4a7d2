"""`letan speech models download`: against a local HTTP server serving a zip built here."""

from __future__ import annotations

import hashlib
import io
import re
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from speech.errors import SpeechError
from speech.models import MODELS, download_model, list_models
from speech.stt_vosk import model_is_installed

NAME = MODELS["vi"].name


def build_model_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr(f"{NAME}/am/final.mdl", b"\x01" * 300_000)  # stored: the zip is > 300 kB
        zf.writestr(f"{NAME}/conf/model.conf", "--sample-frequency=16000\n")
        zf.writestr(f"{NAME}/README", "test model\n")
    return buffer.getvalue()


@dataclass
class ZipServer:
    url: str
    body: bytes
    ranges: list[str | None] = field(default_factory=list)
    cut_after: int | None = None  # close the connection after this many bytes (once)
    corrupt: bool = False


@contextmanager
def zip_server(body: bytes) -> Iterator[ZipServer]:
    state = ZipServer(url="", body=body)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            data = state.body if not state.corrupt else state.body[:-10] + b"X" * 10
            header = self.headers.get("Range")
            state.ranges.append(header)
            start = 0
            if header:
                start = int(re.fullmatch(r"bytes=(\d+)-", header).group(1))
                if start >= len(data):
                    self.send_response(416)
                    self.end_headers()
                    return
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            else:
                self.send_response(200)
            self.send_header("Content-Length", str(len(data) - start))
            self.end_headers()
            payload = data[start:]
            if state.cut_after is not None:
                cut, state.cut_after = state.cut_after, None
                self.wfile.write(payload[:cut])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/{NAME}.zip"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def model_zip() -> tuple[bytes, str]:
    body = build_model_zip()
    return body, hashlib.sha256(body).hexdigest()


def test_good_download_is_installed(tmp_path, model_zip) -> None:
    body, digest = model_zip
    with zip_server(body) as server:
        path = download_model("vi", tmp_path, url=server.url, sha256=digest, progress=False)
    assert path == tmp_path / NAME
    assert model_is_installed(path)
    assert (path / "am" / "final.mdl").read_bytes() == b"\x01" * 300_000
    assert not (tmp_path / ".downloads" / f"{NAME}.zip.part").exists()
    assert [m.name for m in list_models(tmp_path)] == [NAME]


def test_corrupted_download_is_rejected(tmp_path, model_zip) -> None:
    body, digest = model_zip
    with zip_server(body) as server:
        server.corrupt = True
        with pytest.raises(SpeechError) as caught:
            download_model("vi", tmp_path, url=server.url, sha256=digest, progress=False)
    assert caught.value.code == "model-checksum-mismatch"
    assert not (tmp_path / NAME).exists()
    assert not (tmp_path / ".downloads" / f"{NAME}.zip.part").exists()  # not kept, not resumed
    assert list_models(tmp_path) == []


def test_interrupted_download_resumes(tmp_path, model_zip) -> None:
    body, digest = model_zip
    with zip_server(body) as server:
        server.cut_after = 100_000
        with pytest.raises(SpeechError) as caught:
            download_model("vi", tmp_path, url=server.url, sha256=digest, progress=False, timeout_s=5)
        assert caught.value.code == "model-download-failed"
        part = tmp_path / ".downloads" / f"{NAME}.zip.part"
        kept = part.stat().st_size
        assert 0 < kept <= 100_000  # what arrived before the cut is kept
        path = download_model("vi", tmp_path, url=server.url, sha256=digest, progress=False)
    assert server.ranges == [None, f"bytes={kept}-"]  # the second request asked only for the rest
    assert model_is_installed(path)


def test_unconfirmed_hash_is_not_installed_without_override(tmp_path, model_zip, monkeypatch) -> None:
    body, digest = model_zip
    assert MODELS["vi"].sha256 is None  # see the comment in speech/models.py
    with zip_server(body) as server:
        with pytest.raises(SpeechError) as caught:
            download_model("vi", tmp_path, url=server.url, progress=False)
        assert caught.value.code == "model-unverified"
        assert digest in (caught.value.detail or "")
        # rerun with the checked hash: installed from the kept file, with no second download
        download_model("vi", tmp_path, url=server.url, sha256=digest, progress=False)
    assert server.ranges == [None, f"bytes={len(body)}-"]
    assert model_is_installed(tmp_path / NAME)


def test_cli_download_and_list(tmp_path, model_zip) -> None:
    body, digest = model_zip
    letan = Path(sys.executable).parent / "letan"
    with zip_server(body) as server:
        done = subprocess.run(
            [
                str(letan),
                "speech",
                "models",
                "download",
                "vi",
                "--url",
                server.url,
                "--sha256",
                digest,
                "--dir",
                str(tmp_path),
                "--no-progress",
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        bad = subprocess.run(
            [
                str(letan),
                "speech",
                "models",
                "download",
                "vi",
                "--url",
                server.url,
                "--sha256",
                "0" * 64,
                "--dir",
                str(tmp_path / "other"),
                "--no-progress",
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert bad.returncode == 1 and "model-checksum-mismatch" in bad.stderr
    listing = subprocess.run(
        [str(letan), "speech", "models", "list", "--dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert listing.returncode == 0
    assert f"[đã cài] {NAME}" in listing.stdout
