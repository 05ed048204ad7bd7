"""Swagger UI's "Try it out" on /v1/search, driven in headless Chromium.

What an integrator does first: open /docs/, expand the search operation, press
"Try it out" and "Execute" with the document's own example values (every parameter
as Swagger UI fills it in, the array parameters included), and expect results. It
fails when the page does not load, the request never returns, the answer is not 200,
or it holds no hits.

Usage: python swagger_ui.py <base URL> [<chromium executable>]
"""

import json
import sys
import tempfile

from playwright.sync_api import sync_playwright

# Without the background-networking flags Chromium keeps trying hosts this machine
# cannot reach; --no-sandbox because CI runs as root.
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 30_000


def main() -> int:
    base = sys.argv[1].rstrip("/")
    executable = sys.argv[2] if len(sys.argv) > 2 else "/usr/bin/chromium"
    with sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
        browser = p.chromium.launch_persistent_context(
            profile,
            executable_path=executable,
            headless=True,
            args=CHROMIUM_FLAGS,
        )
        try:
            page = browser.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            page.goto(f"{base}/docs/")
            summary = page.locator('.opblock-summary-path[data-path="/v1/search"]')
            summary.first.click()
            block = page.locator(".opblock", has=summary.first)
            block.locator("button.try-out__btn").click()
            with page.expect_response(
                lambda r: "/v1/search?" in r.url, timeout=TIMEOUT_MS
            ) as answer:
                block.locator("button.execute").click()
            response = answer.value
            url = response.url
            status = response.status
            body = response.text()
            # What the page shows once the answer is in: the live response table.
            block.locator(".live-responses-table tbody .response-col_status").first.wait_for()
            shown = block.locator(".live-responses-table tbody .response-col_status").first.inner_text()
        finally:
            browser.close()
    print(f"Swagger UI sent {url}")
    if status != 200:
        print(f"FAIL: answered {status}: {body[:500]}")
        return 1
    if "200" not in shown:
        print(f"FAIL: the page shows {shown!r}")
        return 1
    results = json.loads(body)
    hits = results.get("hits", [])
    if not hits:
        print(f"FAIL: no hits: {body[:500]}")
        return 1
    print(f"Swagger UI Try it out on /v1/search: 200, {len(hits)} hits, first {hits[0]['title']!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
