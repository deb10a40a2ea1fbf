"""Driving the operating system's Chromium with Playwright, for the browser tests and the README screenshot.

    python tests/browser.py [docs/attention_explorer.png]   # remake the README's picture of the attention explorer

Playwright's own browser download is not used: Debian's /usr/bin/chromium (apt-get install chromium) is. Without
it (or without the playwright package) the browser tests skip with a message on a developer machine, and fail
when the environment variable CI is set (.ci/run sets it): CI must run them.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from pathlib import Path

CHROMIUM = Path(os.environ.get("LLAMA_SCRATCH_CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "build" / "browser"


def missing() -> str | None:
    """What the browser tests lack on this machine, as a sentence with the fix; None when nothing."""
    lacks = []
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        lacks.append("the playwright package (pip install -r requirements-dev.txt)")
    if not CHROMIUM.is_file():
        lacks.append(f"Chromium at {CHROMIUM} (apt-get install chromium)")
    return "browser tests need " + " and ".join(lacks) if lacks else None


def require_browser() -> None:
    """Skip the calling test when the browser is missing, or fail it in CI (CI must run the browser tests)."""
    import pytest

    why = missing()
    if why and os.environ.get("CI"):
        pytest.fail(f"{why}; CI requires the browser tests (.ci/run installs Chromium)", pytrace=False)
    if why:
        pytest.skip(why)


@contextlib.contextmanager
def chromium(playwright, env: dict | None = None, width: int = 1280, height: int = 900):
    """A fresh Chromium (its own temporary profile), closed afterwards. ``env``: its environment variables."""
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), args=ARGS, headless=True, env=env,
            viewport={"width": width, "height": height})
        try:
            yield context
        finally:
            context.close()


class Watch:
    """What a page did: console errors, uncaught exceptions, and every request outside ``allowed`` origins
    (those are blocked, not sent). Requests wait for Python to route them: pause with page.wait_for_timeout,
    never time.sleep, while a page is watched."""

    def __init__(self, page, allowed=("file://", "data:", "blob:", "about:")):
        self.errors, self.outside = [], []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))

        def route(r):
            if r.request.url.startswith(tuple(allowed)):
                return r.continue_()
            self.outside.append(r.request.url)
            return r.abort()

        page.route("**/*", route)


def picture(locator) -> str:
    """What a canvas shows now, as a PNG data URL (equal strings: the same pixels)."""
    return locator.evaluate("c => c.toDataURL()")


def click_at(locator, fraction: float) -> None:
    """Click a range slider at ``fraction`` of its width, as a person would (the browser moves the thumb)."""
    box = locator.bounding_box()
    locator.click(position={"x": max(1.0, box["width"] * fraction), "y": box["height"] / 2})


def use_attention_explorer(view, layer: str | None = None, head: str = "1") -> None:
    """Pick a layer and a head in an attention explorer (a locator of its .lsv-live box), hover a token."""
    selects = view.locator("select")
    if layer is not None:
        selects.nth(0).select_option(layer)
    selects.nth(1).select_option(head)
    view.locator(".lsv-tokens span").nth(5).hover()


def screenshot_attention_explorer(page, out: Path, layer: str | None = None) -> Path:
    """The README's picture: an attention explorer on ``page`` after picking a head and hovering a token."""
    view = page.locator(".lsv-attention .lsv-live").first
    use_attention_explorer(view, layer=layer, head="1")
    page.evaluate("document.fonts.ready")
    out.parent.mkdir(parents=True, exist_ok=True)
    view.screenshot(path=str(out))
    return out


def main(argv=None) -> int:
    """Make the attention explorer of the tiny demo checkpoint and photograph it (default docs/...png)."""
    argv = sys.argv[1:] if argv is None else argv
    out = Path(argv[0]) if argv else ROOT / "docs" / "attention_explorer.png"
    why = missing()
    if why:
        print(f"error: {why}", file=sys.stderr)
        return 2
    sys.path.insert(0, str(ROOT))
    import llama_scratch as ls
    from llama_scratch.tools.labels import DEFAULT_PROMPT
    from llama_scratch.tools import views
    from playwright.sync_api import sync_playwright

    info = ls.CheckpointInfo(ls.ensure_demo_checkpoint("tiny"), True, "demo")
    model = ls.load_model(info.path)
    view = views.attention_explorer(model, ls.load_tokenizer(info.path), DEFAULT_PROMPT, checkpoint=info, lang="en")
    page_path = view.save(SCREENSHOTS / "attention_explorer.html")
    with sync_playwright() as p, chromium(p, width=1000) as browser:
        page = browser.new_page()
        page.goto(page_path.as_uri())
        print(screenshot_attention_explorer(page, out, layer=str(model.config.n_layers - 1)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
