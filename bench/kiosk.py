"""Kiosk figures: cold start to the home screen, tap to the next screen drawn, resident memory.

    .venv/bin/python bench/kiosk.py [--backend-url URL --device-token T] [--size 1080x1920] [--runs 3]

Runs the real Kivy app in an offscreen window (SDL_VIDEODRIVER=offscreen, software OpenGL here,
so a GPU-backed kiosk is faster; the GL renderer is printed). Offscreen, the app waits for each
frame to be really drawn (glFinish on flip, see kiosk.app._finish_frame), so "drawn" includes the
rasterisation and Mesa does not pile up unfinished frames. Tap times depend on the machine's load
(printed): other jobs on the 2 shared cores slow the software renderer. Without --backend-url the
demo data of `kiosk.demo` answer in process.
Targets: cold start <= 5 s, tap to screen <= 150 ms, <= 300 MB without a speech model.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, os, sys, time
started = float(sys.argv[1])
sys.path.insert(0, sys.argv[2])
from pathlib import Path
from contract.settings import SharedSettings
from kiosk.settings import KioskSettings
from kiosk.app import KioskApp, configure_kivy
width, height = (int(v) for v in sys.argv[3].split("x"))
backend_url, token, data_dir = sys.argv[4], sys.argv[5], sys.argv[6]
settings = KioskSettings(width=width, height=height, voice=False, idle_seconds=3600)
shared = SharedSettings.from_env({
    "LETAN_DATA_DIR": data_dir,
    "LETAN_BACKEND_URL": backend_url or "http://127.0.0.1:9/api/v1",
    "LETAN_DEVICE_TOKEN": token,
})
configure_kivy(settings, offscreen=True)
from kivy.base import EventLoop
from kivy.core.window import Window
kwargs = {}
if not backend_url:
    from kiosk.demo import DemoBackend, DemoRasa
    kwargs = {"backend": DemoBackend(), "rasa": DemoRasa(), "sync_on_start": False}
app = KioskApp(settings, shared, **kwargs)
flips = []
Window.bind(on_flip=lambda *_a: flips.append(time.perf_counter()))
app._run_prepare()
EventLoop.start()
while not flips:
    EventLoop.idle()
cold = time.time() - started
# A citizen's first tap comes later than the first frame: let the kiosk settle for a second.
settle = time.time() + 1.0
while time.time() < settle:
    EventLoop.idle()

from kivy.tests.common import UnitTestTouch
from kiosk.strings import t

def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0

def tap_to_screen(button, target):
    for _ in range(3):
        EventLoop.idle()
    x, y = button.to_window(*button.center)
    touch = UnitTestTouch(x, y)
    touch.touch_down()
    EventLoop.idle()
    flips.clear()
    start = time.perf_counter()
    touch.touch_up()   # the button acts on release
    while True:
        EventLoop.idle()
        if app.nav.current == target and not app.manager.transition.is_active and flips:
            drawn = flips[-1]
            break
    return (drawn - start) * 1000

home = app.manager.get_screen("home")
results = {}
for _round in range(int(sys.argv[7])):
    for key, button_id, target in (
        ("procedures", "procedures_button", "procedures"),
        ("queue", "queue_button", "queue"),
        ("dossier", "dossier_button", "dossier"),
        ("faq", "faq_button", "faq"),
        ("feedback", "feedback_button", "feedback"),
        ("voice/conversation", "voice_button", "conversation"),
    ):
        results.setdefault(key, []).append(tap_to_screen(home.ids[button_id], target))
        # back home with the real "Trang chủ" button
        results.setdefault("home", []).append(tap_to_screen(app.root.ids.home_button, "home"))
# let background content arrive and be drawn, then measure memory
end = time.time() + 2
while time.time() < end:
    EventLoop.idle()
from kivy.graphics.opengl import GL_RENDERER, glGetString
renderer = glGetString(GL_RENDERER).decode(errors="replace")
renderer += f", LP_NUM_THREADS={os.environ.get('LP_NUM_THREADS', 'unset')}"
print(json.dumps({"cold_start_s": cold, "taps_ms": results, "rss_mb": rss_mb(), "renderer": renderer}))
app.stop()
"""


def run_child(args: argparse.Namespace, data_dir: str) -> dict[str, object]:
    env = dict(os.environ, KIVY_NO_ARGS="1", SDL_VIDEODRIVER="offscreen", KIVY_NO_CONSOLELOG="1")
    started = time.time()
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            CHILD,
            repr(started),
            str(REPO),
            args.size,
            args.backend_url or "",
            args.device_token or "",
            data_dir,
            str(args.rounds),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"kiosk bench child failed:\n{result.stderr[-3000:]}")
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


BARE = r"""
import sys
from kivy.config import Config
width, height = sys.argv[1].split("x")
Config.set("graphics", "width", width)
Config.set("graphics", "height", height)
from kivy.base import EventLoop
from kivy.core.window import Window
from kivy.uix.label import Label
Window.add_widget(Label(text="letan"))
EventLoop.start()
for _ in range(5):
    EventLoop.idle()
print([line.split()[1] for line in open("/proc/self/status") if line.startswith("VmRSS:")][0])
"""


def bare_window_rss(size: str) -> float:
    """RSS (MB) of an empty Kivy window: what SDL, Mesa's software OpenGL and Kivy take alone."""
    env = dict(os.environ, KIVY_NO_ARGS="1", SDL_VIDEODRIVER="offscreen", KIVY_NO_CONSOLELOG="1")
    result = subprocess.run(
        [sys.executable, "-c", BARE, size], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    try:
        return int(result.stdout.strip().splitlines()[-1]) / 1024
    except (ValueError, IndexError):
        return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend-url", default="")
    parser.add_argument("--device-token", default="")
    parser.add_argument("--size", default="1080x1920")
    parser.add_argument("--runs", type=int, default=3, help="cold starts (new processes)")
    parser.add_argument("--rounds", type=int, default=3, help="tap rounds through the screens per run")
    args = parser.parse_args()

    colds: list[float] = []
    taps: dict[str, list[float]] = {}
    rss: list[float] = []
    renderer = ""
    with tempfile.TemporaryDirectory() as data_dir:
        for _ in range(args.runs):
            figures = run_child(args, data_dir)
            colds.append(float(figures["cold_start_s"]))  # type: ignore[arg-type]
            rss.append(float(figures["rss_mb"]))  # type: ignore[arg-type]
            renderer = str(figures.get("renderer", ""))
            for key, values in figures["taps_ms"].items():  # type: ignore[attr-defined]
                taps.setdefault(key, []).extend(values)

    source = args.backend_url or "demo data in process"
    load = " ".join(f"{v:.2f}" for v in os.getloadavg())
    print(f"kiosk bench: window {args.size} offscreen, {source}")
    print(f"load average (1, 5, 15 min) at the end: {load} on {os.cpu_count()} cores (other jobs count too)")
    print(f"renderer: {renderer}")
    print(
        f"cold start to home drawn: median {statistics.median(colds):.2f} s, max {max(colds):.2f} s "
        f"({args.runs} runs; target <= 5 s)"
    )
    every = [v for values in taps.values() for v in values]
    print(
        f"tap -> next screen drawn: median {statistics.median(every):.0f} ms, "
        f"p95 {statistics.quantiles(every, n=20)[-1]:.0f} ms, max {max(every):.0f} ms "
        f"({len(every)} taps; target <= 150 ms)"
    )
    for key, values in taps.items():
        print(f"  {key:<20} median {statistics.median(values):6.0f} ms   max {max(values):6.0f} ms")
    memory = f"resident memory after visiting every screen: max {max(rss):.0f} MB"
    print(f"{memory} (target <= 300 MB, no speech model)")
    print(
        f"  for comparison, an empty Kivy window of the same size here: {bare_window_rss(args.size):.0f} MB"
    )


if __name__ == "__main__":
    main()
