"""How long the page takes to answer a slider: a benchmark, not a test (``python -m
negsim.web.latency``, and part of ``make bench``).

It starts ``negsim serve`` on the baseline, opens the page in Debian's Chromium through
Playwright, and on the distribution tab (2,000 runs) moves Ukraine's war-cost slider to
several values, one at a time, then in a burst of moves 0.4 s apart: longer than the page's
0.25 s debounce, so each move sends its requests and supersedes the previous one's. It
reports the time from each move to the moment the new settings' agreement figure is shown,
and to the moment every figure is. The times include the debounce. It needs the dev extra
(Playwright) and chromium.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "baseline.yaml"
SLIDER = '.param[data-path="actors.ukraine.war_cost"] input[type=range]'
LOADED = ("() => { const all = [...document.querySelectorAll('#figures img')]; return "
          "all.length > 0 && all.every(i => i.complete && i.naturalWidth > 0 && "
          "i.getAttribute('src') === i.dataset.want); }")
AGREEMENT_FOR = ("(v) => { const i = document.querySelector('#figures img[data-name=agreement]');"
                 " return !!i && (i.getAttribute('src') || '').includes('war_cost%3D' + v) &&"
                 " i.complete && i.naturalWidth > 0 && !i.classList.contains('loading'); }")


GAP = 0.4  # seconds between the moves of a burst


def measure_page(moves: int = 6, burst: int = 8) -> dict:
    """Seconds from a slider move to its agreement figure and to every figure, per move,
    and for the last move of a burst of ``burst`` moves GAP apart."""
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise RuntimeError("Debian's chromium is not installed (apt-get install chromium)")
    server = subprocess.Popen([sys.executable, "-m", "negsim", "serve", str(BASELINE),
                               "--port", "0"], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True)
    try:
        url = re.search(r"http://\S+/", server.stdout.readline()).group(0)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium)
            page = browser.new_page(viewport={"width": 1440, "height": 1000})
            page.goto(url)
            page.click("#tab-distribution")
            page.wait_for_function(LOADED)
            single = []
            for k in range(moves):
                value = f"{0.004 + 0.004 * k:.3f}".rstrip("0")
                start = time.perf_counter()
                page.locator(SLIDER).fill(value)
                page.wait_for_function(AGREEMENT_FOR, arg=value)
                agreement = time.perf_counter() - start
                page.wait_for_function(LOADED)
                single.append({"value": value, "agreement_s": round(agreement, 3),
                               "all_figures_s": round(time.perf_counter() - start, 3)})
            values = [f"{0.005 + 0.002 * k:.3f}".rstrip("0") for k in range(burst)]
            for value in values:
                page.locator(SLIDER).fill(value)
                last = time.perf_counter()
                time.sleep(GAP)
            page.wait_for_function(AGREEMENT_FOR, arg=values[-1])
            after_burst = time.perf_counter() - last
            page.wait_for_function(LOADED)
            burst_all = time.perf_counter() - last
            browser.close()
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
    later = single[1:] or single
    return {"runs": 2000, "moves": single, "first_agreement_s": single[0]["agreement_s"],
            "median_agreement_s": statistics.median(m["agreement_s"] for m in later),
            "median_all_figures_s": statistics.median(m["all_figures_s"] for m in later),
            "burst": burst, "burst_gap_s": GAP, "burst_last_agreement_s": round(after_burst, 3),
            "burst_last_all_figures_s": round(burst_all, 3)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=6)
    args = parser.parse_args(argv)
    result = measure_page(args.moves)
    for move in result["moves"]:
        print(f"war cost {move['value']:>6}: agreement figure {move['agreement_s']:.2f} s, "
              f"every figure {move['all_figures_s']:.2f} s")
    print(f"burst of {result['burst']} moves {GAP} s apart: the last one's agreement figure "
          f"{result['burst_last_agreement_s']:.2f} s after it, every figure "
          f"{result['burst_last_all_figures_s']:.2f} s")
    print(json.dumps({k: v for k, v in result.items() if k != "moves"}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
