"""Check in a real headless browser that the Prefect UI `ingest serve` starts works.

Serves the flow on a temporary Prefect home, has the deployment run once, then opens in
Chromium the flow run, its summary artifact and the deployment: each page must show what a
user looks for there (the run and its state, the summary's figures, the schedule) and never
Prefect's "Oops. Something went wrong" (a UI that cannot reach its API). Takes a screenshot
of the summary for the README.

    python docs/ui_check.py [--screenshot docs/prefect-ui.png] [--raw raw]

Exit 0 when every page passed, 1 when one did not, 2 when Chromium is missing. Needs Chromium
(Debian: `apt-get install chromium`).
"""

from __future__ import annotations

import argparse
import html
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
RENDER_BUDGET_MS = 20_000  # virtual time the single-page UI gets to fetch from its API and render


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def browse(browser: str, url: str, profile: Path, *extra: str) -> subprocess.CompletedProcess:
    """Chromium on ``url`` with a fresh profile, after the page had time to render."""
    shutil.rmtree(profile, ignore_errors=True)
    cmd = [browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--virtual-time-budget={RENDER_BUDGET_MS}", *extra, url]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=180, check=False)


def page_text(browser: str, url: str, profile: Path) -> str:
    """The visible text of the page as rendered (the DOM without scripts, styles and tags)."""
    dom = browse(browser, url, profile, "--dump-dom").stdout
    dom = re.sub(r"<(script|style)\b[^>]*>.*?</\1>", " ", dom, flags=re.DOTALL | re.IGNORECASE)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", dom)).split())


def api(base: str, path: str, body: dict) -> list[dict]:
    request = urllib.request.Request(f"{base}/{path}", data=json.dumps(body).encode(), method="POST",
                                     headers={"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as resp:
        return json.load(resp)


class Lines:
    """The lines a process writes to a pipe, readable with a timeout."""

    def __init__(self, stream) -> None:
        self.seen: list[str] = []
        self.queue: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._pump, args=(stream,), daemon=True).start()

    def _pump(self, stream) -> None:
        for line in stream:
            self.queue.put(line)
        self.queue.put(None)

    def wait_for(self, pattern: str, timeout: float) -> re.Match:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self.queue.get(timeout=left)
            except queue.Empty:
                break
            if line is None:
                raise RuntimeError("`ingest serve` ended:\n" + "".join(self.seen))
            self.seen.append(line)
            if match := re.search(pattern, line):
                return match
        raise RuntimeError(f"no line matching {pattern!r} within {timeout:.0f} s:\n" + "".join(self.seen))


def check(browser: str, raw: Path, screenshot: Path | None, work: Path) -> list[str]:
    """Serve, run once, check the pages; the failures (empty when all passed)."""
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update(PREFECT_HOME=str(work / "prefect"), PREFECT_LOGGING_LEVEL="WARNING",
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "src"), str(ROOT), env.get("PYTHONPATH")])))
    cmd = [sys.executable, "-m", "ingest.cli", "serve", "--interval", "3600", "--raw", str(raw),
           "--curated", str(work / "curated")]
    serve = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        lines = Lines(serve.stderr)
        ui = lines.wait_for(r"its UI: (http://\S+)", 240).group(1)
        lines.wait_for(r"serving deployment", 120)
        api_url = f"{ui}/api"
        with urllib.request.urlopen(f"{ui}/ui-settings", timeout=30) as resp:
            told = json.load(resp)["api_url"]
        failures = [] if told == api_url else [f"the UI is told its API is at {told}, not {api_url}"]
        subprocess.run([sys.executable, "-m", "prefect", "deployment", "run", "ingest/ingest"], cwd=ROOT,
                       env={**env, "PREFECT_API_URL": api_url}, capture_output=True, check=True, timeout=120)
        name = lines.wait_for(r"flow run (\S+): Completed", 300).group(1)
        run = api(api_url, "flow_runs/filter", {"flow_runs": {"name": {"any_": [name]}}})[0]
        artifact = api(api_url, "artifacts/filter", {"artifacts": {"key": {"any_": ["ingest-run-summary"]},
                                                                   "flow_run_id": {"any_": [run["id"]]}}})[0]
        pages = [
            (f"{ui}/runs/flow-run/{run['id']}", [name, "Completed"]),
            (f"{ui}/artifacts/artifact/{artifact['id']}", ["ingest-run-summary", name, "status: curated", "snapshot"]),
            (f"{ui}/deployments/deployment/{run['deployment_id']}", ["ingest", "Hourly"]),
        ]
        for url, expected in pages:
            for _ in range(3):  # a page rendered before its last API call returned is rendered again
                text = page_text(browser, url, work / "profile")
                missing = [f"{e!r} not shown" for e in expected if e not in text]
                if "Oops" in text:
                    missing.append("Prefect's 'Oops. Something went wrong'")
                if not missing:
                    break
            print(("ok      " if not missing else "FAILED  ") + url + ("" if not missing else ": " + "; ".join(missing)))
            failures += [f"{url}: {m}" for m in missing]
        if screenshot is not None:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            browse(browser, pages[1][0], work / "profile", f"--screenshot={screenshot.resolve()}", "--window-size=1280,900")
            if not screenshot.exists() or screenshot.stat().st_size < 10_000:
                failures.append(f"no screenshot written to {screenshot}")
            else:
                print(f"screenshot of {pages[1][0]} in {screenshot}")
        return failures
    finally:
        serve.send_signal(signal.SIGTERM)
        try:
            serve.wait(timeout=60)
        except subprocess.TimeoutExpired:
            serve.kill()
            serve.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--screenshot", type=Path, default=ROOT / "docs" / "prefect-ui.png")
    parser.add_argument("--no-screenshot", action="store_true")
    parser.add_argument("--raw", type=Path, default=ROOT / "raw")
    args = parser.parse_args(argv)
    browser = chromium()
    if browser is None:
        print("Chromium is not installed (Debian: apt-get install chromium)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="ingest-ui-check-") as tmp:
        failures = check(browser, args.raw.resolve(), None if args.no_screenshot else args.screenshot, Path(tmp))
    for failure in failures:
        print(failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
