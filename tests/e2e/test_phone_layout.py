"""Every page a person opens on a phone (390 x 844 CSS pixels, an iPhone 12-15) fits its width:
the document never scrolls sideways, and every table's last column can be reached — the table
scrolls inside its own box with its key column fixed, or its rows stack with their labels
(jitrack/static/jitrack.css, "tables on a phone"). Run on the demo data (seed_demo), so every
table has rows; one browser and one page for the whole tour.

Screenshots go to /tmp/phone-*.png (full page, as a person would scroll through it).
"""

import pytest
from django.core.management import call_command
from django.urls import reverse

from projects.models import Project
from registry.section_defs import SECTIONS
from tests.support import Actor

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 390, 844
# The demo's project with the most on its page: documents, answered comments, a long timeline,
# a verified monitoring period and issued ERUs.
RICH_PROJECT = "Reduction of N2O emissions at Rivne nitric acid plant"

# What a phone shows of the page: the document's width, and per table whether its last header
# cell can be brought into view (each scrolling box between it and the page scrolled to its end)
# and what else a person would trip over.
MEASURE = """
() => {
  const vw = document.documentElement.clientWidth;
  const shown = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 1 && r.height > 1 && getComputedStyle(el).visibility !== "hidden";
  };
  const scrollers = (el) => {
    const out = [];
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const ox = getComputedStyle(a).overflowX;
      if (ox === "auto" || ox === "scroll") out.push(a);
    }
    return out;
  };
  const inView = (el) => {
    const r = el.getBoundingClientRect();
    return shown(el) && r.left >= -1 && r.right <= vw + 1;
  };
  const tables = [];
  for (const table of document.querySelectorAll("main table")) {
    const name = (table.className || "(no class)") + " #" + tables.length;
    const body = table.tBodies[0];
    const row = body && body.rows[0];
    if (row && getComputedStyle(row).display === "block") {
      // stacked: every cell of a row is on the screen
      const cells = [...row.cells];
      tables.push({table: name, stacked: true, reachable: cells.every(inView)});
      continue;
    }
    const head = table.tHead ? table.tHead.rows[0] : table.rows[0];
    const cell = head && head.cells[head.cells.length - 1];
    if (!cell) continue;
    // a person swipes each scrolling box the table is in to its end
    const boxes = scrollers(cell);
    for (const box of boxes) box.scrollLeft = box.scrollWidth;
    // the key column stays in view while the rest scrolls under it
    const moved = boxes.some((box) => box.scrollLeft > 0);
    const key = head.cells[0];
    const keyFixed = !moved || key === cell || inView(key);
    tables.push({table: name, header: cell.textContent.trim().slice(0, 40), stacked: false,
                 scrolls: moved, reachable: inView(cell), keyFixed});
    for (const box of scrollers(cell)) box.scrollLeft = 0;
  }
  // Text smaller than 12 px (an SVG's text as drawn, its viewBox scaled to its box) is hard to
  // read on a phone.
  const tiny = [];
  for (const el of document.querySelectorAll("body *")) {
    if (![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
    if (!shown(el)) continue;
    let size = parseFloat(getComputedStyle(el).fontSize);
    const svg = el.closest("svg");
    if (svg && svg.viewBox.baseVal && svg.viewBox.baseVal.width) {
      size *= svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    }
    if (size < (svg ? 10 : 12)) {
      tiny.push(el.tagName + " " + size.toFixed(1) + "px: " + el.textContent.trim().slice(0, 30));
    }
  }
  // Anything that sticks out of the screen on the right (a button, a field, a long word).
  const outside = [];
  for (const el of document.querySelectorAll("body *")) {
    if (!shown(el) || scrollers(el).length) continue;
    const r = el.getBoundingClientRect();
    if (r.right > vw + 1) outside.push(el.tagName + "." + el.className + " right=" + Math.round(r.right));
  }
  return {scrollWidth: document.documentElement.scrollWidth, tables,
          tiny: tiny.slice(0, 10), outside: outside.slice(0, 10)};
}
"""


class Phone(Actor):
    """One page in a phone-sized window, reused for the whole tour."""

    def __init__(self, browser, base):
        self.context = browser.new_context(
            viewport={"width": WIDTH, "height": HEIGHT},
            device_scale_factor=1,
            is_mobile=True,
            has_touch=True,
        )
        self.page = self.context.new_page()
        self.base = base

    def log_in(self, username):
        self.go("/login/")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", "demo")
        with self.page.expect_navigation():
            self.page.click("main form button[type=submit]")
        if "/login/enrol/" in self.page.url or "/login/code/" in self.page.url:
            with self.page.expect_navigation():
                self.second_factor(username)
        assert "/login/" not in self.page.url, f"login failed for {username}"

    def check(self, name, path):
        self.go(path)
        self.page.screenshot(path=f"/tmp/phone-{name}.png", full_page=True)
        seen = self.page.evaluate(MEASURE)
        problems = []
        if seen["scrollWidth"] > WIDTH:
            problems.append(f"the page is {seen['scrollWidth']} px wide: {seen['outside']}")
        for table in seen["tables"]:
            if not table["reachable"]:
                problems.append(f"cannot reach the last column: {table}")
            if not table.get("keyFixed", True):
                problems.append(f"the key column scrolls away: {table}")
        if seen["tiny"]:
            problems.append(f"text too small: {seen['tiny']}")
        return problems, seen


@pytest.mark.django_db(transaction=True)
def test_every_page_fits_a_phone(browser, live_server, settings):
    settings.DEBUG = True  # seed_demo runs only in development
    call_command("seed_demo", verbosity=0)
    settings.DEBUG = False
    rich = Project.objects.get(title=RICH_PROJECT)
    programme = Project.objects.get(poa=True)
    pages = [
        ("home", "/"),
        ("projects", reverse("project_list")),
        ("registry", reverse("registry")),
        *[(f"registry-{slug}", reverse("registry_section", args=[slug])) for slug in SECTIONS],
        ("statistics", reverse("statistics")),
        ("opendata", reverse("opendata")),
        ("record", reverse("record")),
        # with a result: its tier lines are a table
        ("fee-calculator", reverse("fees_calculator") + "?kind=verification&reductions=40000"),
        ("project", reverse("project_detail", args=[rich.key])),
        ("monitoring", reverse("monitoring", args=[rich.key])),
        # issue 16: Track 1, a programme's components, conversions
        ("track1-project", reverse("project_detail", args=["RU1000001"])),
        ("track1-monitoring", reverse("monitoring", args=["RU1000001"])),
        ("programme", reverse("project_detail", args=[programme.key])),
        ("component", reverse("component_detail", args=[programme.key, 1])),
        ("conversions", reverse("conversions")),
        ("conversions-party", reverse("conversions_party", args=["RU"])),
    ]
    phone = Phone(browser, live_server.url)
    found = {}
    tables = 0
    for name, path in pages:
        problems, seen = phone.check(name, path)
        tables += len(seen["tables"])
        if problems:
            found[path] = problems
    # Russian words are longer: the registry's list and the project page in Russian too.
    phone.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "ru", "url": live_server.url}]
    )
    ru_pages = [
        ("projects-ru", pages[1][1]),
        ("project-ru", reverse("project_detail", args=[rich.key])),
    ]
    ru_pages.append(("conversions-party-ru", reverse("conversions_party", args=["RU"])))
    for name, path in ru_pages:
        problems, seen = phone.check(name, path)
        assert phone.page.locator("html").get_attribute("lang") == "ru"
        tables += len(seen["tables"])
        if problems:
            found[f"{path} (ru)"] = problems
    phone.context.clear_cookies()
    # The secretariat's own pages, whose tables are the widest.
    phone.log_in("secretariat")
    staff_pages = [
        ("dashboard-secretariat", reverse("dashboard")),
        ("fees", reverse("fees_home")),
        ("fees-revenue", reverse("fees_revenue")),
        ("fees-project", reverse("fee_detail", args=[rich.key])),
        ("committee", reverse("committee")),
        ("meetings", reverse("meeting_list")),
    ]
    for name, path in staff_pages:
        problems, seen = phone.check(name, path)
        tables += len(seen["tables"])
        if problems:
            found[f"{path} (secretariat)"] = problems
    phone.close()
    assert not found, "\n".join(f"{path}: {p}" for path, ps in found.items() for p in ps)
    assert tables >= 15  # the tour saw the registry's tables, not empty pages
