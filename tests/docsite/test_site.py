# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""`make docsite`, second half: the built documentation site in a real browser.

The site (tools/build_docsite.py) is served over HTTP on loopback, as a documentation host serves it,
and opened in Debian's chromium, headless, driven by selenium through Debian's chromedriver. The
checks read the page as rendered (the DOM after the page's scripts ran, what is displayed):

- each module page and the role page show their option table with rows for known options; a
  module page also shows its attributes, its examples and its return values;
- the guides (AWX, performance, reliability, the Cloudflare hand-off) are pages linked from the
  home page;
- every page is reachable from the home page, every link between pages leads to a file of the
  site and, where it names an anchor, to an element with that id; every image is drawn; no page
  logs a JavaScript or loading error;
- a screenshot (PNG) of each module page and the role page, scrolled to its option table, is saved in
  DOCSITE_SCREENSHOTS (make docsite: .build/docsite/screenshots/), and the option table is checked to
  be in the captured viewport.

Environment: DOCSITE_HTML (the built site; default .build/docsite/build/html), DOCSITE_SCREENSHOTS,
CHROMIUM (default /usr/bin/chromium) and CHROMEDRIVER (default /usr/bin/chromedriver).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import functools
import http.server
import os
import posixpath
import threading
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HTML = os.environ.get("DOCSITE_HTML") or os.path.join(REPO, ".build", "docsite", "build", "html")
SCREENSHOTS = os.environ.get("DOCSITE_SCREENSHOTS") or os.path.join(REPO, ".build", "docsite", "screenshots")
CHROMIUM = os.environ.get("CHROMIUM") or "/usr/bin/chromium"
CHROMEDRIVER = os.environ.get("CHROMEDRIVER") or "/usr/bin/chromedriver"

COLLECTION_DIR = "collections/oncall/pagerduty/"
# Page -> its file in the site and what its tables must show (options every version of the page has).
MODULES = {
    "datadog_pagerduty_service": {
        "options": ["api_key", "app_key", "site", "service_name", "service_key", "services", "state", "update_key"],
        "returns": ["service", "results", "status", "api_errors"],
    },
    "datadog_pagerduty_service_info": {
        "options": ["api_key", "app_key", "site", "service_names"],
        "returns": ["services", "missing", "status"],
    },
    "cloudflare_pagerduty_destination": {
        "options": ["account_id", "api_token", "api_key", "email", "services", "state", "create_token", "token_id"],
        "returns": ["services", "missing", "token_id", "next_step"],
    },
    "cloudflare_pagerduty_destination_info": {
        "options": ["account_id", "api_token", "api_key", "email"],
        "returns": ["services", "status"],
    },
}
ROLE = "pagerduty_integrations"
ROLE_OPTIONS = ["pagerduty_integrations_datadog_services", "pagerduty_integrations_datadog_api_key",
                "pagerduty_integrations_datadog_app_key", "pagerduty_integrations_cloudflare_account_id",
                "pagerduty_integrations_cloudflare_api_token"]
# Guide page -> how its heading (the title of its Markdown source) starts.
GUIDES = {
    "guides/awx.html": "oncall.pagerduty in AWX",
    "guides/performance.html": "Performance",
    "guides/reliability.html": "Reliability",
    "guides/cloudflare.html": "Cloudflare: PagerDuty notification destinations",
}


def module_page(name):
    return COLLECTION_DIR + name + "_module.html"


ROLE_PAGE = COLLECTION_DIR + ROLE + "_role.html"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass


@pytest.fixture(scope="session")
def site_url():
    if not os.path.isfile(os.path.join(HTML, "index.html")):
        pytest.fail("no site in %s: build it with make docsite" % HTML)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=HTML))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield "http://127.0.0.1:%d/" % server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            pytest.fail("%s is missing: make docsite installs Debian's chromium and chromium-driver" % path)
    options = Options()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--hide-scrollbars", "--force-device-scale-factor=1", "--window-size=1280,1400",
                     # nothing leaves the machine: only the loopback server answers
                     "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # The driver is given: selenium's own driver manager never runs (it would download one).
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def open_page(browser, site_url, page):
    browser.get(urljoin(site_url, page))
    assert browser.execute_script("return document.readyState") == "complete"
    # (a browser asks for /favicon.ico on its own; the theme names no icon)
    errors = [entry["message"] for entry in browser.get_log("browser")
              if entry["level"] == "SEVERE" and "/favicon.ico " not in entry["message"]]
    assert not errors, "%s logged errors: %s" % (page, errors)


# For each title cell of an option table: the id of its row's anchor, the text shown, whether it is shown.
ROWS_SCRIPT = """
return Array.from(arguments[0].querySelectorAll('tbody tr .ansible-option-title')).map(function (title) {
  var anchor = title.parentElement.querySelector('.ansibleOptionAnchor');
  return [anchor ? anchor.id : '', title.innerText.trim(),
          title.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})];
});
"""


def table_rows(browser, section, prefix):
    """The names shown in the option table of SECTION (an id: parameters, attributes, return-values), top level only:
    the rows whose anchor is PREFIX + name (`parameter-api_key`, not `parameter-services/state`)."""
    table = browser.find_element(By.CSS_SELECTOR, "section#%s table.ansible-option-table" % section)
    assert table.is_displayed() and table.size["height"] > 0, "the %s table is not displayed" % section
    names = []
    for anchor, text, shown in browser.execute_script(ROWS_SCRIPT, table):
        if anchor.startswith(prefix) and "/" not in anchor:
            assert shown and text, "row %s of the %s table is not displayed" % (anchor, section)
            names.append(text)
    return names


def screenshot_at(browser, page):
    """Scroll the Parameters section to the top of the window, save the viewport as PNG; the section's heading
    and first option row must be in it."""
    section = browser.find_element(By.CSS_SELECTOR, "section#parameters")
    first_row = section.find_element(By.CSS_SELECTOR, "table.ansible-option-table tbody tr")
    browser.execute_script("arguments[0].scrollIntoView({block: 'start'});", section)
    top, bottom, height = browser.execute_script(
        "return [arguments[0].getBoundingClientRect().top, arguments[1].getBoundingClientRect().bottom,"
        " window.innerHeight];", section, first_row)
    assert -1 < top and bottom < height, "%s: the option table is not in the viewport" % page
    os.makedirs(SCREENSHOTS, exist_ok=True)
    path = os.path.join(SCREENSHOTS, os.path.basename(page)[:-len(".html")] + ".png")
    assert browser.save_screenshot(path)
    with open(path, "rb") as handle:
        assert handle.read(8) == b"\x89PNG\r\n\x1a\n"
    assert os.path.getsize(path) > 20000, "%s: the screenshot is nearly empty" % path


@pytest.mark.parametrize("module", sorted(MODULES))
def test_module_page_shows_its_tables(browser, site_url, module):
    page = module_page(module)
    open_page(browser, site_url, page)
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("oncall.pagerduty.%s module" % module)

    options = table_rows(browser, "parameters", "parameter-")
    missing = [name for name in MODULES[module]["options"] if name not in options]
    assert not missing, "%s: no option row for %s (rows: %s)" % (page, missing, options)

    attributes = table_rows(browser, "attributes", "attribute-")
    assert {"check_mode", "diff_mode"} <= set(attributes), "%s: attributes %s" % (page, attributes)

    returns = table_rows(browser, "return-values", "return-")
    missing = [name for name in MODULES[module]["returns"] if name not in returns]
    assert not missing, "%s: no return value row for %s (rows: %s)" % (page, missing, returns)

    examples = browser.find_elements(By.CSS_SELECTOR, "section#examples div.highlight pre")
    assert examples and all(example.is_displayed() for example in examples), "%s: no examples" % page
    assert any("oncall.pagerduty.%s:" % module in example.text for example in examples), page

    screenshot_at(browser, page)


def test_role_page_shows_its_options(browser, site_url):
    open_page(browser, site_url, ROLE_PAGE)
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("oncall.pagerduty.%s role" % ROLE)
    options = table_rows(browser, "parameters", "parameter-main--")
    missing = [name for name in ROLE_OPTIONS if name not in options]
    assert not missing, "%s: no option row for %s (rows: %s)" % (ROLE_PAGE, missing, options)
    screenshot_at(browser, ROLE_PAGE)


def test_guides_are_pages_linked_from_the_home_page(browser, site_url):
    open_page(browser, site_url, "index.html")
    links = {urlsplit(a.get_attribute("href")).path.lstrip("/"): a.text
             for a in browser.find_elements(By.CSS_SELECTOR, "div.toctree-wrapper a.reference.internal")}
    for page, heading in GUIDES.items():
        assert page in links, "the home page does not link %s (links: %s)" % (page, sorted(links))
        assert links[page].startswith(heading)
        open_page(browser, site_url, page)
        assert browser.find_element(By.TAG_NAME, "h1").text == links[page]
        assert len(browser.find_elements(By.CSS_SELECTOR, "div[role=main] p")) > 3, "%s has no text" % page
    assert COLLECTION_DIR + "index.html" in links


def site_file(site_url, url):
    """The file of the site that URL (on the site) names, or None."""
    path = unquote(urlsplit(url).path)[len(urlsplit(site_url).path):]
    path = posixpath.normpath(path) if path else "."
    if path.startswith(".."):
        return None
    full = os.path.join(HTML, path)
    return os.path.join(full, "index.html") if os.path.isdir(full) else full


def test_every_link_between_pages_resolves(browser, site_url):
    pages, queue, broken, anchors = {}, ["index.html"], [], []
    while queue:
        page = queue.pop()
        if page in pages:
            continue
        open_page(browser, site_url, page)
        pages[page] = set(browser.execute_script(
            "return Array.from(document.querySelectorAll('[id], a[name]')).map(e => e.id || e.name);"))
        for image in browser.find_elements(By.TAG_NAME, "img"):
            assert browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0;", image), \
                "%s: image %s is not drawn" % (page, image.get_attribute("src"))
        hrefs = browser.execute_script("return Array.from(document.querySelectorAll('a[href]')).map(a => a.href);")
        for href in hrefs:
            if not href.startswith(site_url):
                continue  # another site (docs.ansible.com, GitHub): not checked offline
            target, fragment = urldefrag(href)
            path = site_file(site_url, target)
            if path is None or not os.path.isfile(path):
                broken.append("%s -> %s" % (page, href))
                continue
            relative = os.path.relpath(path, HTML).replace(os.sep, "/")
            if relative.endswith(".html"):
                queue.append(relative)
                if fragment:
                    anchors.append((page, href, relative, unquote(fragment)))
    for page, href, target, fragment in anchors:
        if fragment not in pages[target]:
            broken.append("%s -> %s (no element with id %r)" % (page, href, fragment))
    assert not broken, "broken links:\n" + "\n".join(sorted(set(broken)))
    unreachable = [page for page in [module_page(m) for m in MODULES] + [ROLE_PAGE] + list(GUIDES) if page not in pages]
    assert not unreachable, "no link leads from the home page to %s" % unreachable
