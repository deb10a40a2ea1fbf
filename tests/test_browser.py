"""The views in a real browser (the system's Chromium, driven by Playwright): exported notebooks and standalone
pages opened from file:// (no request elsewhere, no console error, the views respond), Chinese glyphs with no
CJK font on the machine, and JupyterLab itself (test_browser_jupyterlab.py). Skipped on a machine without the
browser (with how to get it); required in CI (CI=1).
"""

import json
import re

import pytest

from browser import SCREENSHOTS, Watch, chromium, click_at, picture, require_browser, screenshot_attention_explorer
from conftest import ROOT
from llama_scratch.tools.notebooks import execute_notebook, notebook_paths

ENGLISH = ("notebooks",)  # the views' behaviour is the same in both editions (same code cells)
from llama_scratch.tools import views
from llama_scratch.tools.views.export import offline_html_exporter

WITH_VIEWS = ("04_rope", "05_attention_gqa")  # the notebooks that show an interactive view


@pytest.fixture(scope="module")
def playwright():
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def exported(tiny_dir, tmp_path_factory):
    """make run's HTML of every notebook: executed (04 and 05, the ones with views; the runs in
    test_notebooks.py cover executing the rest) or as stored, all through the same offline template."""
    import nbformat

    require_browser()
    out = tmp_path_factory.mktemp("exported")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LLAMA_SCRATCH_CHECKPOINT", str(tiny_dir))
        for path in notebook_paths(ROOT, ENGLISH):
            if path.stem in WITH_VIEWS:
                execute_notebook(path, out, out / "figures" / path.stem, timeout=600)
            else:
                body, _ = offline_html_exporter().from_notebook_node(nbformat.read(path, as_version=4))
                (out / f"{path.stem}.html").write_text(body, encoding="utf-8")
    return out


def open_page(browser, path):
    page = browser.new_page()
    watch = Watch(page)
    page.goto(path.as_uri())
    page.evaluate("document.fonts.ready")
    return page, watch


def assert_clean(watch, name):
    assert not watch.outside, f"{name} asked for {watch.outside}"
    assert not watch.errors, f"{name}: console errors {watch.errors}"


@pytest.mark.slow  # executes notebooks 04 and 05
def test_exported_notebooks_work_offline(playwright, exported):
    with chromium(playwright) as browser:
        for path in notebook_paths(ROOT, ENGLISH):
            page, watch = open_page(browser, exported / f"{path.stem}.html")
            assert page.locator(".jp-Cell").count() > 3, path.name
            assert_clean(watch, path.name)
            if path.stem == "04_rope":
                view = page.locator(".lsv-rope .lsv-live")
                assert view.count() == 1 and not page.locator(".lsv-rope .lsv-static").is_visible()
                wheels, before = view.locator("canvas.lsv-wheels"), picture(view.locator("canvas.lsv-wheels"))
                click_at(view.locator("input[type=range]"), 0.6)
                assert picture(wheels) != before, "moving the RoPE slider did not turn the pairs"
                assert wheels.get_attribute("data-distance") != "8"
            if path.stem == "05_attention_gqa":
                view = page.locator(".lsv-attention .lsv-live")
                before = picture(view.locator("canvas.lsv-heatmap"))
                view.locator("select").nth(1).select_option("2")
                assert picture(view.locator("canvas.lsv-heatmap")) != before, "another head, the same heatmap"
                screenshot_attention_explorer(page, SCREENSHOTS / "export_05_attention_explorer.png")
            assert_clean(watch, path.name)
            page.close()


@pytest.fixture(scope="module")
def one_page(tiny_model, tokenizer, tmp_path_factory):
    """Every view twice (two renderings of each) on one standalone page: ids and code must not clash."""
    require_browser()
    made = views.make_views(tiny_model, tokenizer, "The llama looked at the alpaca, 羊驼笑了。", "tiny demo")
    body = "\n".join(v.html() for v in made.values() for _ in range(2))
    path = tmp_path_factory.mktemp("page") / "all_views.html"
    path.write_text(f'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>{body}</body></html>',
                    encoding="utf-8")
    return path, made


def test_all_views_on_one_page_respond(playwright, one_page):
    path, made = one_page
    with chromium(playwright) as browser:
        page, watch = open_page(browser, path)
        assert page.locator(".lsv-live").count() == 8 and page.locator(".lsv-static:visible").count() == 0
        lens = page.locator(".lsv-lens .lsv-live").nth(1)
        cell = lens.locator("td.lsv-cell[data-row='2'][data-col='4']")
        cell.hover()
        top = lens.locator("ol.lsv-top li")
        data = made["logit_lens"].data
        assert top.count() == 5
        assert [float(x) for x in top.evaluate_all("li => li.map(x => x.dataset.prob)")] == data["probs"][2][4]
        assert [int(x) for x in top.evaluate_all("li => li.map(x => x.dataset.id)")] == data["ids"][2][4]
        sampling = page.locator(".lsv-sampling .lsv-live").first
        bars = sampling.locator(".lsv-bars")
        before = bars.inner_html()
        click_at(sampling.locator("input.lsv-t-slider"), 0.1)
        assert bars.inner_html() != before and float(bars.get_attribute("data-t")) < 0.5
        # the second attention explorer answers for itself, the first is left as it was
        first, second = page.locator(".lsv-attention .lsv-live").nth(0), page.locator(".lsv-attention .lsv-live").nth(1)
        a, b = picture(first.locator("canvas.lsv-heatmap")), picture(second.locator("canvas.lsv-heatmap"))
        second.locator("button[data-stage=scores]").click()
        assert picture(second.locator("canvas.lsv-heatmap")) != b and picture(first.locator("canvas.lsv-heatmap")) == a
        second.locator("select").nth(1).select_option("-1")  # all heads of the layer: small multiples
        assert second.locator("canvas.lsv-multiple").count() == made["attention_explorer"].data["n_heads"]
        second.locator("canvas.lsv-multiple").nth(3).click()
        assert second.locator("select").nth(1).input_value() == "3"
        page.screenshot(path=str(SCREENSHOTS / "all_views.png"), full_page=True)
        assert_clean(watch, path.name)


def test_chinese_is_drawn_without_a_cjk_font_on_the_machine(playwright, tiny_model, tokenizer, tmp_path):
    """Chromium sees only DejaVu (FONTCONFIG_FILE): two different hanzi drawn with the page's embedded font
    differ, drawn with the machine's fonts they are the same empty box."""
    require_browser()
    conf = tmp_path / "fonts.conf"
    conf.write_text(f'<?xml version="1.0"?>\n<fontconfig><dir>/usr/share/fonts/truetype/dejavu</dir>'
                    f'<cachedir>{tmp_path / "cache"}</cachedir></fontconfig>\n', encoding="utf-8")
    page_path = views.rope_explorer(lang="zh").save(tmp_path / "rope_zh.html")
    with chromium(playwright, env={"FONTCONFIG_FILE": str(conf), "HOME": str(tmp_path)}) as browser:
        page, watch = open_page(browser, page_path)
        family = json.loads(page.locator("script.lsv-data").text_content())["family"]
        drawn = page.evaluate("""family => {
            const glyph = (font, ch) => { const c = document.createElement("canvas"); c.width = c.height = 48;
                const x = c.getContext("2d"); x.font = font; x.fillText(ch, 4, 40); return c.toDataURL(); };
            return {loaded: document.fonts.check(`40px "${family}"`, "对"),
                    own: [glyph(`40px "${family}"`, "对"), glyph(`40px "${family}"`, "转")],
                    machine: [glyph("40px sans-serif", "对"), glyph("40px sans-serif", "转")]}; }""", family)
        assert drawn["loaded"]
        assert drawn["machine"][0] == drawn["machine"][1], "this Chromium still finds a CJK font of the machine"
        assert drawn["own"][0] != drawn["own"][1], "the embedded font did not draw the hanzi"
        assert re.search("第 0 对", page.locator(".lsv-live").inner_text())
        page.locator(".lsv-live").screenshot(path=str(SCREENSHOTS / "rope_zh_without_system_cjk_font.png"))
        assert_clean(watch, page_path.name)
