"""The favicon: ``/favicon.ico`` (which browsers ask for whatever a page links to) answers the
icon, and every page links it and the SVG icon, both from the site itself (the CSP's
``img-src 'self'``)."""

import xml.etree.ElementTree as ET

import pytest
from django.contrib.staticfiles import finders
from PIL import Image

from jitrack.favicon import ICON

pytestmark = pytest.mark.django_db


def test_favicon_ico_is_served_without_a_query(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert "max-age=604800" in response["Cache-Control"]
    assert "public" in response["Cache-Control"]
    assert response.content == ICON.read_bytes()
    assert response.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert "img-src 'self'" in response["Content-Security-Policy"]


def test_favicon_ico_holds_the_usual_sizes():
    with Image.open(ICON) as icon:
        assert {(16, 16), (32, 32), (48, 48)} <= icon.ico.sizes()


def test_favicon_ico_answers_head_and_refuses_other_methods(client):
    assert client.head("/favicon.ico").status_code == 200
    assert client.post("/favicon.ico").status_code == 405


def test_every_page_links_both_icons_and_the_svg_is_a_static_file(client):
    page = client.get("/").content.decode()
    assert '<link rel="icon" href="/favicon.ico" sizes="48x48">' in page
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    svg = finders.find("favicon.svg")
    assert svg is not None
    root = ET.parse(svg).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox") == "0 0 32 32"
    # self-contained: no external reference a browser would have to fetch
    assert 'href="http' not in open(svg, encoding="utf-8").read()
