"""The two READMEs: linked both ways, the same two commands, which CI runs; every relative link points at a file."""

import re

import pytest

from conftest import ROOT

READMES = ("README.md", "README.zh-CN.md")
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def text(name):
    return (ROOT / name).read_text(encoding="utf-8")


def test_each_readme_links_to_the_other():
    assert "](README.zh-CN.md)" in text("README.md")
    assert "](README.md)" in text("README.zh-CN.md")


@pytest.mark.parametrize("name", READMES)
def test_the_two_commands_and_ci(name):
    quick = text(name).split("```bash", 1)[1].split("```", 1)[0]
    assert [line.split()[:2] for line in quick.strip().splitlines()] == [["make", "run"], ["make", "test"]]
    assert re.search(r"^make test$", (ROOT / ".ci" / "run").read_text(encoding="utf-8"), re.M)


@pytest.mark.parametrize("name", READMES)
def test_relative_links_point_at_files(name):
    links = [link for link in LINK.findall(text(name)) if not re.match(r"[a-z]+:", link)]
    assert links, name
    missing = [link for link in links if not (ROOT / link).exists()]
    assert not missing, f"{name} links to {missing}"
