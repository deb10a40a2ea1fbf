"""A real JupyterLab in the system's Chromium, used as a student would: open notebooks 04 and 05 from the file
browser, Run All Cells from the Run menu, see the figures and use the views; an untrusted copy still shows the
views' pictures; and the working tree is as clean afterwards as before. Screenshots go to build/browser/.
"""

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from browser import SCREENSHOTS, Watch, chromium, click_at, picture, require_browser
from conftest import ROOT
from llama_scratch.tools.plots import FIGURES_ENV

pytestmark = pytest.mark.slow  # a JupyterLab server runs two notebooks
NOTEBOOKS = ("04_rope", "05_attention_gqa")
SETTINGS = {  # JupyterLab settings for the test: every cell in the page, no news fetched from the internet
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                         "checkForUpdates": False},
}


def git_status() -> str | None:
    """`git status --porcelain` of the repository, or None when it is not a git checkout."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        return None
    return subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout


@pytest.fixture(scope="module")
def lab(tiny_dir, tmp_path_factory):
    """A JupyterLab server on 127.0.0.1 (free port, random token) rooted at the repository, its own config,
    data (so notebooks start untrusted), runtime and settings folders; the demo checkpoint; figures not
    redirected (they must land in build/). Restores the two notebooks JupyterLab saves, then checks git status."""
    require_browser()
    home = tmp_path_factory.mktemp("jupyter")
    for name, settings in SETTINGS.items():
        (home / "settings" / name).parent.mkdir(parents=True, exist_ok=True)
        (home / "settings" / name).write_text(json.dumps(settings), encoding="utf-8")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    token = secrets.token_hex(16)
    env = {k: v for k, v in os.environ.items() if k not in (FIGURES_ENV, "MPLBACKEND")}
    env.update(JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_DATA_DIR=str(home / "data"),
               JUPYTER_RUNTIME_DIR=str(home / "runtime"), LLAMA_SCRATCH_CHECKPOINT=str(tiny_dir))
    saved = {n: (ROOT / "notebooks" / f"{n}.ipynb").read_bytes() for n in NOTEBOOKS}
    before = git_status()
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={ROOT}",
         f"--LabApp.user_settings_dir={home / 'settings'}", f"--LabApp.workspaces_dir={home / 'workspaces'}"]
        + (["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []),  # CI containers are root
        env=env, stdout=subprocess.DEVNULL, stderr=open(home / "server.log", "wb"))
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not start: {(home / 'server.log').read_text()[-2000:]}")
                time.sleep(0.5)
        yield {"url": url, "token": token}
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        for name, data in saved.items():
            (ROOT / "notebooks" / f"{name}.ipynb").write_bytes(data)
    assert git_status() == before, f"the run left files behind:\n{git_status()}"


def api(lab, path):
    request = urllib.request.Request(f"{lab['url']}{path}", headers={"Authorization": f"token {lab['token']}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def open_from_file_browser(page, name):
    exact = page.locator(".jp-DirListing-itemText", has_text=re.compile(rf"^{re.escape(name)}$"))
    page.locator(".jp-DirListing-item").filter(has=exact).dblclick()


def run_all_cells(page, panel, timeout: float = 300):
    """Run → Run All Cells once the kernel is idle, until every code cell of ``panel`` shows its execution
    count and the kernel is idle again. Answers JupyterLab's "Select Kernel" dialog (it asks when it opened the
    notebook before it had read the kernel specs) with the notebook's own kernel."""
    idle = panel.locator(".jp-Notebook-ExecutionIndicator[data-status=idle]").first
    dialog = page.locator(".jp-Dialog", has_text="Select Kernel")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if dialog.is_visible():
            dialog.get_by_role("button", name="Select").click()
            continue
        prompts = panel.locator(".jp-CodeCell .jp-InputPrompt").all_inner_texts()
        if idle.is_visible() and not any("*" in p for p in prompts):
            if prompts and all(re.search(r"\[\d+\]", p) for p in prompts):
                return
            page.locator(".lm-MenuBar-itemLabel", has_text=re.compile("^Run$")).click()
            page.locator(".lm-Menu-itemLabel", has_text=re.compile("^Run All Cells$")).click()
            page.wait_for_timeout(3000)  # the first cell is queued ([*]) within this time
        page.wait_for_timeout(500)  # not time.sleep: Playwright must keep answering the page's routed requests
    pytest.fail(f"the cells did not all run within {timeout:.0f} s", pytrace=False)


def check_saved_outputs(page, lab, name):
    """File → Save Notebook, then read the notebook JupyterLab wrote: no error output, figures, the view's HTML."""
    path = f"/api/contents/notebooks/{name}.ipynb?content=1"
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile("^File$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile("^Save Notebook$")).click()
    deadline = time.monotonic() + 60
    while True:  # until the file holds the run: every code cell with its execution count
        nb = api(lab, path)["content"]
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        if all(c["execution_count"] for c in code) or time.monotonic() > deadline:
            break
        page.wait_for_timeout(500)
    outputs = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c["outputs"]]
    errors = [o for o in outputs if o["output_type"] == "error"]
    assert not errors, f"{name}: {errors[0]['ename']}: {errors[0]['evalue']}"
    assert sum("image/png" in o.get("data", {}) for o in outputs) >= 2, f"{name}: no figures"
    assert any('class="lsv ' in "".join(o.get("data", {}).get("text/html", "")) for o in outputs), name
    return nb


def test_jupyterlab_runs_04_and_05_and_the_views_respond(playwright_sync, lab):
    with chromium(playwright_sync, width=1400, height=1000) as browser:
        page = browser.new_page()
        try:
            use_jupyterlab(page, lab)
        except Exception:
            page.screenshot(path=str(SCREENSHOTS / "jupyterlab_failure.png"))
            raise


def use_jupyterlab(page, lab):
    """The student's path through JupyterLab, with the checks along it (see the module docstring)."""
    watch = Watch(page, allowed=(lab["url"], "data:", "blob:"))
    page.goto(f"{lab['url']}/lab?token={lab['token']}")
    open_from_file_browser(page, "notebooks")
    for name, kind in zip(NOTEBOOKS, ("rope", "attention")):
        open_from_file_browser(page, f"{name}.ipynb")
        panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
        panel.locator(".jp-Notebook").wait_for()
        run_all_cells(page, panel)
        nb = check_saved_outputs(page, lab, name)
        assert panel.locator(".jp-RenderedImage img").count() >= 2  # the matplotlib figures, inline
        view = panel.locator(f".lsv-{kind} .lsv-live")
        view.scroll_into_view_if_needed()
        assert view.count() == 1 and not panel.locator(f".lsv-{kind} .lsv-static").is_visible()
        if kind == "rope":
            wheels = view.locator("canvas.lsv-wheels")
            before = picture(wheels)
            click_at(view.locator("input[type=range]"), 0.7)
            assert picture(wheels) != before, "moving the RoPE slider did not turn the pairs"
        else:
            heatmap = view.locator("canvas.lsv-heatmap")
            before = picture(heatmap)
            view.locator("select").nth(1).select_option("2")
            assert picture(view.locator("canvas.lsv-heatmap")) != before, "another head, the same heatmap"
            view.locator(".lsv-tokens span").nth(4).hover()
        view.screenshot(path=str(SCREENSHOTS / f"jupyterlab_{name}_view.png"))
        page.screenshot(path=str(SCREENSHOTS / f"jupyterlab_{name}.png"))
        if name == NOTEBOOKS[0]:  # an untrusted copy (its content no longer matches JupyterLab's signature)
            nb["metadata"]["copied_for"] = "untrusted check"
            untrusted = ROOT / "build" / "browser" / "untrusted_04_rope.ipynb"
            untrusted.parent.mkdir(parents=True, exist_ok=True)
            untrusted.write_text(json.dumps(nb), encoding="utf-8")
    page.goto(f"{lab['url']}/lab/tree/build/browser/untrusted_04_rope.ipynb?token={lab['token']}")
    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    picture_only = panel.locator(".lsv-rope img.lsv-static")
    picture_only.wait_for(timeout=60_000)
    picture_only.scroll_into_view_if_needed()
    assert picture_only.evaluate("img => img.complete && img.naturalWidth > 100")
    assert panel.locator(".lsv-live").count() == 0 and panel.locator(".lsv-rope script").count() == 0
    picture_only.screenshot(path=str(SCREENSHOTS / "jupyterlab_untrusted_04_static_picture.png"))
    assert not watch.outside, f"JupyterLab asked for {watch.outside}"
    assert not [e for e in watch.errors if "llama_scratch" in e], watch.errors


@pytest.fixture(scope="module")
def playwright_sync():
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p
