#!/usr/bin/env python3
"""End-to-end test of the search page at `/` in a real browser (issue 12).

Starts the real server (`target/debug/roadmap-api serve`) on a free loopback port over a
temporary copy of a content folder, drives Debian's headless chromium through
Playwright, and checks what a person would do: type a query with a typo and see the
expected topic first, use the keyboard on the suggestions, filter by a roadmap, open a
hit and see its resources, open a roadmap and see its whole topic tree, edit a content
file and see the open page change without a reload; all with no console error and no
request leaving 127.0.0.1. Screenshots go to target/e2e/.

Scenarios: the `layout-2023` fixture (always), and the roadmap.sh 2023 sample with its
141-topic backend roadmap where ../shared/samples exists.

Usage: python3 tests/e2e/page.py [--binary target/debug/roadmap-api]
Exits non-zero on the first failed check.
"""

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

from playwright.sync_api import expect, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "target" / "e2e"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-default-apps",
    "--disable-extensions",
]

SCENARIOS = [
    {
        "name": "fixture",
        "content": ROOT / "tests" / "fixtures" / "layout-2023",
        "typo": "internt",
        "nothing": "certifcatesss",
        "expected": "Internet",
        "roadmap": "web-basics",
        "hit_path": "/roadmaps/web-basics/topics/internet",
        "edit": "roadmaps/web-basics/content/100-internet/index.md",
        "topics": 10,
    },
    {
        "name": "sample-2023",
        "content": ROOT.parent / "shared" / "samples" / "roadmapsh-2023" / "src" / "data",
        "typo": "authentcation",
        "nothing": "authentcationzzz",
        "expected": "Authentication",
        "roadmap": "backend",
        "hit_path": "/roadmaps/backend/topics/apis/authentication",
        "edit": "roadmaps/backend/content/109-apis/106-authentication/index.md",
        "topics": 141,
    },
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(base, server, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"server exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/readyz", timeout=2) as r:
                if r.status == 200:
                    return json.load(r)["version"]
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("server not ready in time")


def check(condition, message):
    if not condition:
        raise AssertionError(message)
    print(f"  ok: {message}")


def run(scenario, binary, browser):
    print(f"scenario {scenario['name']}: {scenario['content']}")
    work = Path(tempfile.mkdtemp(prefix="page-e2e-"))
    content = work / "content"
    shutil.copytree(scenario["content"], content)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(work / "server.log", "w")
    server = subprocess.Popen(
        [str(binary), "serve", "--content", str(content), "--bind", f"127.0.0.1:{port}",
         "--index", "memory", "--workers", "2"],
        stdout=log, stderr=subprocess.STDOUT,
        env=dict(os.environ, RUST_LOG="warn"),
    )
    try:
        version = wait_ready(base, server)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        problems, foreign = [], []
        context.on("request", lambda r: foreign.append(r.url)
                   if urlparse(r.url).hostname != "127.0.0.1" and not r.url.startswith("data:")
                   else None)
        page = context.new_page()
        page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
                if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.set_default_timeout(15000)
        shots = SHOTS / scenario["name"]
        shots.mkdir(parents=True, exist_ok=True)

        # Search as you type, with a typo.
        page.goto(f"{base}/")
        expect(page.locator("#version")).to_have_text(version)
        box = page.get_by_role("combobox")
        box.focus()
        page.keyboard.type(scenario["typo"], delay=40)
        expect(page).to_have_url(f"{base}/?q={scenario['typo']}")
        check(True, "the URL carries the query")
        first = page.locator(f"#results[data-q='{scenario['typo']}'] #hits .hit h3 a").first
        expect(first).to_have_text(scenario["expected"])
        check(True, f"typing {scenario['typo']!r} puts {scenario['expected']!r} first")
        check(page.locator(".hit .snippet mark").count() > 0 or
              page.locator(".hit .snippet").count() == 0, "snippets keep their marks")
        page.screenshot(path=str(shots / "search.png"))

        # The combobox: suggestions, arrows, Escape.
        expect(box).to_have_attribute("aria-expanded", "true")
        page.keyboard.press("ArrowDown")
        active = box.get_attribute("aria-activedescendant")
        check(bool(active) and page.locator(f"#{active}").get_attribute("aria-selected") == "true",
              "ArrowDown selects the first suggestion")
        page.keyboard.press("Escape")
        expect(box).to_have_attribute("aria-expanded", "false")
        check(True, "Escape closes the suggestions")
        page.keyboard.press("ArrowDown")
        expect(box).to_have_attribute("aria-expanded", "true")
        suggested = page.locator("#suggestions [aria-selected=true]").get_attribute("data-href")
        page.keyboard.press("Enter")
        expect(page).to_have_url(f"{base}{suggested}")
        expect(page.locator("#view h1")).to_be_visible()
        check(True, f"Enter opens the selected suggestion ({suggested})")
        page.go_back()
        expect(page).to_have_url(f"{base}/?q={scenario['typo']}")
        expect(page.locator(f"#results[data-q='{scenario['typo']}']")).to_be_visible()

        # Nothing found: the closest suggestion is offered and leads to results.
        page.goto(f"{base}/?q={scenario['nothing']}")
        expect(page.locator("#no-results")).to_be_visible()
        offer = page.locator("#did-you-mean a")
        expect(offer).to_be_visible()
        offered = offer.inner_text()
        offer.click()
        expect(page.locator("#hits .hit").first).to_be_visible()
        check(True, f"no results for {scenario['nothing']!r} offers {offered!r}, which finds hits")
        page.goto(f"{base}/?q={scenario['typo']}")
        expect(page.locator(f"#results[data-q='{scenario['typo']}'] #hits .hit").first).to_be_visible()

        # Filter by roadmap.
        facet = page.locator(f"fieldset[data-facet=roadmap] input[value='{scenario['roadmap']}']")
        facet.check()
        expect(page).to_have_url(f"{base}/?q={scenario['typo']}&roadmap={scenario['roadmap']}")
        expect(facet).to_be_checked()
        page.wait_for_function(
            "r => [...document.querySelectorAll('#hits .hit')].length > 0 && "
            "[...document.querySelectorAll('#hits .hit a')].every(a => a.pathname.split('/')[2] === r)",
            arg=scenario["roadmap"])
        check(True, f"every hit is in {scenario['roadmap']} after filtering")

        # Open the hit: its resources.
        page.locator("#hits .hit h3 a").first.click()
        expect(page).to_have_url(f"{base}{scenario['hit_path']}")
        expect(page.locator("h1")).to_have_text(scenario["expected"])
        expect(page.locator("#resources li").first).to_be_visible()
        check(page.locator("#resources li .badge").count() == page.locator("#resources li").count(),
              f"the topic shows {page.locator('#resources li').count()} typed resources")
        check(page.locator("nav.crumbs a").count() >= 2, "the topic shows breadcrumbs")
        page.screenshot(path=str(shots / "topic.png"), full_page=True)

        # Back returns to the filtered results.
        page.go_back()
        expect(page).to_have_url(f"{base}/?q={scenario['typo']}&roadmap={scenario['roadmap']}")
        expect(page.locator("#hits .hit h3 a").first).to_have_text(scenario["expected"])
        check(True, "Back returns to the filtered results")

        # A roadmap: the whole tree.
        page.goto(f"{base}/roadmaps/{scenario['roadmap']}")
        expect(page.locator("#topic-count")).to_have_text(f"{scenario['topics']} topics")
        links = page.locator("nav.outline a[data-topic]")
        expect(links).to_have_count(scenario["topics"])
        check(True, f"the roadmap shows its {scenario['topics']}-topic tree")
        check(page.locator("details.faq").count() > 0 and
              page.locator("details.faq").first.get_attribute("open") is not None,
              "the FAQ is shown with its first question open")
        page.screenshot(path=str(shots / "roadmap.png"))

        # Live: edit the open topic's file; the page changes without reloading.
        page.goto(f"{base}{scenario['hit_path']}")
        expect(page.locator("h1")).to_have_text(scenario["expected"])
        expect(page.locator("#live-state.on")).to_have_count(1)
        page.evaluate("window.__notReloaded = true")
        marker = "Edited by the end-to-end test zqxjv"
        edited = content / scenario["edit"]
        edited.write_text(edited.read_text() + f"\n\n{marker}.\n")
        expect(page.locator("article .content")).to_contain_text(marker, timeout=30000)
        expect(page.locator("#version")).not_to_have_text(version)
        check(page.evaluate("window.__notReloaded === true"), "the topic changed without a reload")
        # ...and the results follow.
        page.goto(f"{base}/?q=zqxjv")
        expect(page.locator("#hits .hit h3 a").first).to_have_text(scenario["expected"])
        page.evaluate("window.__notReloaded = true")
        edited.write_text(edited.read_text().replace(marker, "Edited again"))
        expect(page.locator("#no-results")).to_be_visible(timeout=30000)
        check(page.evaluate("window.__notReloaded === true"), "the results refreshed without a reload")

        # Phone width: nothing wider than the screen.
        phone = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True,
                                    has_touch=True)
        phone.on("request", lambda r: foreign.append(r.url)
                 if urlparse(r.url).hostname != "127.0.0.1" else None)
        small = phone.new_page()
        small.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
                 if m.type in ("error", "warning") else None)
        small.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        for path in [f"/?q={scenario['expected'].lower()}", scenario["hit_path"],
                     f"/roadmaps/{scenario['roadmap']}"]:
            small.goto(f"{base}{path}")
            small.locator("#view h1").first.wait_for(state="attached")
            width = small.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            check(width <= 0, f"{path} fits a 375-pixel screen (overflow {width}px)")
        small.goto(f"{base}/?q={scenario['expected'].lower()}")
        expect(small.locator("#hits .hit").first).to_be_visible()
        small.screenshot(path=str(shots / "phone.png"))
        phone.close()

        check(not problems, "no console error: " + "; ".join(problems))
        check(not foreign, "no request left 127.0.0.1: " + ", ".join(foreign[:5]))
        context.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        shutil.rmtree(work, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default=str(ROOT / "target" / "debug" / "roadmap-api"))
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = parser.parse_args()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, headless=True,
                                    args=CHROMIUM_FLAGS)
        try:
            ran = 0
            for scenario in SCENARIOS:
                if not scenario["content"].is_dir():
                    print(f"scenario {scenario['name']}: skipped, {scenario['content']} absent")
                    continue
                run(scenario, Path(args.binary), browser)
                ran += 1
        finally:
            browser.close()
    print(f"e2e: {ran} scenario(s) passed; screenshots in {SHOTS}")


if __name__ == "__main__":
    try:
        main()
    except AssertionError as error:
        print(f"FAILED: {error}", file=sys.stderr)
        sys.exit(1)
