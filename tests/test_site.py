"""`make site`: the docs site builds from the repository with no network, and reads right.

The site is built once a session (pytest-xdist's workers share it through a lock), by `mkdocs build
--strict` in a process whose sockets reach nothing but loopback. It is then read twice: statically,
every link of every page crawled from the home page; and in headless Chromium with every host name
unresolvable, as a person opening site/index.html sees it, through a probe script (added to a copy of
the page) that reports what the browser fetched, styled and drew.
"""

import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

pytest.importorskip("mkdocs", reason="the dev install brings the site extra (mkdocs and its plugins)")
from filelock import FileLock  # noqa: E402  (after the skip: a dev install brings it too)

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

# mkdocs with every Python socket kept to loopback (the notebooks' kernels talk over 127.0.0.1):
# anything else is refused, and said on stderr even if a plugin swallows the error.
OFFLINE_BUILD = """
import socket, sys

def local(host):
    host = host.decode() if isinstance(host, bytes) else str(host)
    return host in ("localhost", "::1", "") or host.startswith("127.")

def refuse(what):
    sys.stderr.write(f"NETWORK USED by the site build: {what}\\n")
    return OSError(f"no network in the site build: {what}")

real_connect, real_connect_ex, real_getaddrinfo = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo

def connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6) and not local(address[0]):
        raise refuse(f"connect to {address}")
    return real_connect(self, address)

def connect_ex(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6) and not local(address[0]):
        raise refuse(f"connect to {address}")
    return real_connect_ex(self, address)

def getaddrinfo(host, *args, **kwargs):
    if host is not None and not local(host):
        raise refuse(f"look up {host}")
    return real_getaddrinfo(host, *args, **kwargs)

socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = connect, connect_ex, getaddrinfo
from mkdocs.__main__ import cli
cli(["build", "--strict", "--config-file", sys.argv[1], "--site-dir", sys.argv[2]])
"""


def build(out: Path) -> Path:
    with tempfile.TemporaryDirectory() as cwd:  # nothing the build writes lands in the repository
        done = subprocess.run([sys.executable, "-c", OFFLINE_BUILD, str(ROOT / "mkdocs.yml"), str(out)], cwd=cwd,
                              env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, capture_output=True, text=True,
                              timeout=900)
    assert "NETWORK USED" not in done.stderr, done.stderr[-4000:]
    assert done.returncode == 0, done.stderr[-4000:]
    return out


@pytest.fixture(scope="session")
def site(tmp_path_factory, worker_id) -> Path:
    if worker_id == "master":
        return build(tmp_path_factory.mktemp("docs-site") / "site")
    shared = tmp_path_factory.getbasetemp().parent / "docs-site"
    with FileLock(f"{shared}.lock"):
        if not (shared / "index.html").is_file():
            build(shared)
    return shared


def test_ci_builds_the_site_as_make_site_does():
    """.ci/run runs `make test`, whose pytest collects this file, which builds the site with the command
    `make site` runs (`mkdocs build --strict` on mkdocs.yml): CI builds the site, and fails if it breaks."""
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make test\b", ci, re.M)
    outer_make = ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")  # set when the suite itself runs under `make test`
    env = {name: value for name, value in os.environ.items() if name not in outer_make}
    recipe = lambda target: [line for line in subprocess.run(  # noqa: E731
        ["make", "--no-print-directory", "-n", target, "BIN=bin", "STAMP="], cwd=ROOT, capture_output=True,
        text=True, timeout=60, check=True, env=env).stdout.splitlines() if not line.startswith("echo")]
    assert recipe("site") == ["NO_MKDOCS_2_WARNING=1 bin/mkdocs build --strict"]
    assert recipe("test")[0] == "bin/python -m pytest -n 2"  # every test path: tests/, this file among them
    import tomllib
    assert "tests" in tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["testpaths"]
    assert 'cli(["build", "--strict", "--config-file", sys.argv[1]' in OFFLINE_BUILD
    assert (ROOT / "mkdocs.yml").is_file()


# ---- the built files, read as they are served

class PageLinks(HTMLParser):
    """The ids a page defines and every URL it refers to: (tag, attribute, url)."""

    def __init__(self, text: str):
        super().__init__()
        self.ids: set[str] = set()
        self.urls: list[tuple[str, str, str]] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.ids.update(attrs[key] for key in ("id", "name") if attrs.get(key))
        for key in ("href", "src"):
            if attrs.get(key):
                self.urls.append((tag, key, attrs[key]))


def crawl(site: Path) -> tuple[set[Path], list[str], list[str]]:
    """Follow every internal link from the home page: the pages reached, the broken links, and the
    resources (scripts, styles, pictures, fonts) a page would fetch from another host."""
    root = site.resolve()
    parsed: dict[Path, PageLinks] = {}

    def page(path: Path) -> PageLinks:
        if path not in parsed:
            parsed[path] = PageLinks(path.read_text(encoding="utf-8"))
        return parsed[path]

    todo, reached, broken, off_site = [root / "index.html"], set(), [], []
    while todo:
        current = todo.pop()
        if current in reached:
            continue
        reached.add(current)
        for tag, key, url in page(current).urls:
            parts = urlsplit(url)
            where = f"{current.relative_to(root)}: <{tag} {key}={url}>"
            if parts.scheme in ("http", "https") or url.startswith("//"):
                if tag != "a":
                    off_site.append(where)
                continue
            if parts.scheme or not (parts.path or parts.fragment):
                continue  # data:, mailto:, javascript:
            target = (current.parent / unquote(parts.path)).resolve() if parts.path else current
            if target.is_dir():
                target = target / "index.html"
            if not target.is_relative_to(root) or not target.is_file():
                broken.append(f"{where}: no such file")
            elif parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in page(target).ids:
                broken.append(f"{where}: no such anchor")
            elif target.suffix == ".html" and tag == "a":
                todo.append(target)
    return {path.relative_to(root) for path in reached}, broken, off_site


def test_every_page_is_reached_from_home_and_no_internal_link_is_broken(site):
    reached, broken, off_site = crawl(site)
    expected = ({Path("index.html")}
                | {Path(p.stem + ".html") for p in (ROOT / "docs").glob("*.md")}
                | {Path("api", p.stem + ".html") for p in (ROOT / "docs" / "api").glob("*.md")}
                | {Path("notebooks", p.stem + ".html") for p in NOTEBOOKS})
    assert expected - reached == set()
    assert broken == []
    assert off_site == []  # no CDN: every script, style, font and picture ships in the site


def test_repository_files_the_pages_link_are_in_the_site(site):
    home = (site / "index.html").read_text(encoding="utf-8")
    for path in ("harness/vocabulary/scenario.schema.json", "differences.html", "timeline.png"):
        assert f'="{path}' in home, path  # the README's repository paths, pointed at the site
        assert (site / path).is_file()
    assert json.loads((site / "harness/vocabulary/scenario.schema.json").read_text())["$schema"]


def test_the_api_reference_reads_the_docstrings_as_markdown(site):
    pages = {p.stem: p.read_text(encoding="utf-8") for p in (site / "api").glob("*.html")}
    for name in ("run", "run_many", "diff", "explore", "matrix", "bisect", "load_scenario", "scenario", "Result",
                 "plot.timeline", "widgets.explore", "strategies.scenarios", "virtual_time", "targets",
                 "errors.ScenarioError"):
        assert any(f'id="harness.{name}"' in text for text in pages.values()), name
    for stem, text in pages.items():
        assert not re.search(r":(class|func|mod|meth|attr|data|exc):", text), stem  # Sphinx roles became code


# ---- in headless Chromium, with no host reachable

def _browser():
    return shutil.which("chromium") or shutil.which("chromium-browser")


NO_BROWSER = pytest.mark.skipif(_browser() is None,
                                reason="Chromium is not installed (Debian package 'chromium'; .ci/run installs it)")

PROBE = """<script>
addEventListener("load", () => setTimeout(() => {
  const header = document.querySelector(".md-header");
  const report = document.createElement("script");
  report.type = "application/json";
  report.id = "probe";
  report.textContent = JSON.stringify({
    header: header && getComputedStyle(header).backgroundColor,
    fetched: performance.getEntriesByType("resource").map(entry => entry.name),
    images: Array.from(document.querySelectorAll("article img")).map(img => ({
      complete: img.complete, natural: img.naturalWidth, shown: Math.round(img.getBoundingClientRect().width),
      output: !!img.closest(".jp-OutputArea-output")})),
  });
  document.body.appendChild(report);
}, 100));
</script>"""


def seen(site: Path, page: str, query: str = "") -> tuple[str, dict]:
    """The page's DOM as Chromium has it after loading (``query``: its ?query), and the probe's report."""
    original = site / page
    copy = original.with_name(f"{original.stem}.probe-{os.getpid()}.html")
    copy.write_text(original.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8")
    try:
        with tempfile.TemporaryDirectory() as profile:
            done = subprocess.run([_browser(), "--headless", "--no-sandbox", "--disable-gpu",
                                   "--disable-background-networking", "--disable-component-update", "--disable-sync",
                                   "--no-first-run", f"--user-data-dir={profile}",
                                   "--host-resolver-rules=MAP * ~NOTFOUND",  # no host resolves: no CDN to lean on
                                   "--window-size=1280,1600", "--virtual-time-budget=10000", "--dump-dom",
                                   copy.as_uri() + query], capture_output=True, text=True, timeout=120)
    finally:
        copy.unlink()
    probe = re.search(r'<script type="application/json" id="probe">(.*?)</script>', done.stdout, re.S)
    assert probe, done.stderr[-2000:]
    return done.stdout, json.loads(html.unescape(probe.group(1)))


def text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def rendered_offline(report: dict) -> None:
    assert report["header"] == "rgb(64, 81, 181)"  # Material's stylesheet applied: its indigo header
    # Chromium lists a fetch from a host here even when it fails (files from disk are not listed)
    assert [url for url in report["fetched"] if not url.startswith(("file:", "data:"))] == []


@NO_BROWSER
def test_the_home_page_is_the_readme_with_its_two_commands(site):
    dom, report = seen(site, "index.html")
    rendered_offline(report)
    article = dom.split("<article", 1)[1]
    first_code = text(article.split("<pre", 1)[1].split("</pre>", 1)[0].split(">", 1)[1])
    assert [line.split("#")[0].strip() for line in first_code.strip().splitlines()] == ["make report", "make test"]
    assert "make site" in text(article)
    assert [img["complete"] and img["natural"] > 0 for img in report["images"]] == [True]  # the timeline picture


@NO_BROWSER
def test_search_works_from_the_files_alone(site):
    # Material's search runs in a web worker, which file:// allows only through the shim the site ships
    dom, report = seen(site, "index.html", "?q=tombstone")
    rendered_offline(report)
    assert re.search(r'class="md-search-result__meta">\d+ matching documents<', dom)
    found = re.findall(r'<a href="([^"]+)" class="md-search-result__link"', dom)
    assert any("/notebooks/01_versioning.html" in url for url in found)
    assert any(url.endswith("/differences.html") for url in found)


@NO_BROWSER
def test_a_notebook_page_shows_its_executed_pictures(site):
    dom, report = seen(site, "notebooks/01_versioning.html")
    rendered_offline(report)
    assert "Versioning: which writes land" in text(dom.split("<article", 1)[1])
    pictures = [img for img in report["images"] if img["output"]]
    assert pictures and all(img["complete"] and img["natural"] >= 500 and img["shown"] > 300 for img in pictures)


@NO_BROWSER
def test_an_api_page_names_harness_run_with_its_docstring(site):
    dom, report = seen(site, "api/running.html")
    rendered_offline(report)
    heading = re.search(r'<h2 id="harness\.run"[^>]*>(.*?)</h2>', dom, re.S)
    assert heading and text(heading.group(1)).strip().rstrip("¶").strip() == "harness.run"
    assert "Replay one scenario" in text(dom.split('id="harness.run"', 1)[1].split("<h2", 1)[0])


def test_every_notebook_that_draws_has_a_picture_on_its_page(site):
    import nbformat
    for path in NOTEBOOKS:
        draws = any("harness.plot(" in cell.source or "plot.timeline(" in cell.source
                    for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code")
        page = (site / "notebooks" / f"{path.stem}.html").read_text(encoding="utf-8")
        assert bool(re.search(r'<img [^>]*src="data:image/png;base64,', page)) == draws, path.name
