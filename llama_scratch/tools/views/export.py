"""Exporting executed notebooks to HTML that works offline (the views inside it included)."""

from __future__ import annotations

from pathlib import Path

from nbconvert import HTMLExporter

TEMPLATES = Path(__file__).with_name("templates")


def offline_html_exporter():
    """nbconvert's HTMLExporter with the "offline" template: JupyterLab's look, no script from a CDN."""
    return HTMLExporter(template_name="offline", extra_template_basedirs=[str(TEMPLATES)])
