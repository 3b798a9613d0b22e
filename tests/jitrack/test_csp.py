"""The Content-Security-Policy: every response carries it, it allows no inline script or style,
and no template served to a browser holds any (issue 14)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
# Rendered by WeasyPrint into PDFs, never an HTTP response: their <style> stays.
PDF_ONLY = re.compile(r"(^|/)(_form_pdf_style\.html|[^/]*_pdf\.html|_pdf_style\.html|pdf/.*)$")
INLINE = {
    "a <script> without src": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
    "a <style> block": re.compile(r"<style\b", re.I),
    "a style attribute": re.compile(r"\sstyle\s*=", re.I),
    "an event handler attribute": re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I),
    "a javascript: URL": re.compile(r"javascript:", re.I),
}
EXPECTED = {
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
}


def served_templates() -> list[Path]:
    return sorted(
        path
        for path in TEMPLATES.rglob("*.html")
        if not PDF_ONLY.search(path.relative_to(TEMPLATES).as_posix())
    )


def directives(response) -> set[str]:
    return {d.strip() for d in response["Content-Security-Policy"].split(";") if d.strip()}


def test_served_templates_hold_no_inline_script_or_style():
    assert len(served_templates()) > 50
    found = [
        f"{path.relative_to(TEMPLATES)}: {what}"
        for path in served_templates()
        for what, pattern in INLINE.items()
        if pattern.search(path.read_text())
    ]
    assert found == []


def test_served_templates_include_no_pdf_stylesheet():
    found = [
        str(path.relative_to(TEMPLATES))
        for path in served_templates()
        if re.search(r"{%\s*include\s+\"[^\"]*pdf", path.read_text())
    ]
    assert found == []


def test_the_grep_finds_what_it_looks_for():
    samples = {
        "a <script> without src": "<script defer>alert(1)</script>",
        "a <style> block": "<style>p{}</style>",
        "a style attribute": '<p style="color:red">',
        "an event handler attribute": '<button onclick="go()">',
        "a javascript: URL": '<a href="javascript:go()">',
    }
    for what, sample in samples.items():
        assert INLINE[what].search(sample), what
    assert not any(
        p.search('<script src="/static/countdown.js" defer></script>') for p in INLINE.values()
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/projects/",
        "/fees/calculator/",
        "/statistics/",
        "/api/docs/",
        "/api/projects/",
        "/nope/",
    ],
)
def test_every_response_carries_the_policy(client, url):
    response = client.get(url)
    assert response.status_code in (200, 404)
    assert directives(response) == EXPECTED
    assert "unsafe-inline" not in response["Content-Security-Policy"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/projects/",
        "/projects/?status=final&sort=title",
        "/projects/0001/",
        "/registry/",
        "/fees/calculator/",
        "/statistics/",
        "/dashboard/",
        "/fees/revenue/",
        "/fees/",
        "/projects/import/",
    ],
)
def test_pages_as_served_hold_no_inline_script_or_style(cycle, secretariat, client, url):
    # What the templates do not hold, a widget's attrs or a template tag could still add.
    cycle.determination_submitted()
    client.force_login(secretariat)
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    assert [what for what, pattern in INLINE.items() if pattern.search(html)] == []


@pytest.mark.django_db
def test_api_docs_load_swagger_ui_from_our_static_files(client):
    page = client.get("/api/docs/")
    html = page.content.decode()
    assert page.status_code == 200
    for asset in ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js"):
        assert f'"/static/drf_spectacular_sidecar/swagger-ui-dist/{asset}"' in html
    assert "/static/api_docs.css" in html
    assert not INLINE["a <script> without src"].search(html)
    assert not INLINE["a <style> block"].search(html)
    assert "https://" not in html and "cdn" not in html  # nothing from another site
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert 'url: "/api/schema/"' in script.content.decode()
