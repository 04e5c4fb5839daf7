"""MkDocs hooks that make the docs site from the repository as it is (``make site``).

Three things the repository's layout needs that MkDocs does not do by itself:

- **The README is the home page.** It is added as ``index.md``.
- **Links are written for GitHub, so they are mapped to the site.** The README and ``docs/*.md``
  link each other by their paths in the repository (``docs/differences.md``, ``../README.md``).
  Each relative link is read against the page's place in the repository and pointed at the same
  file's place in the site. A linked repository file that is no page (the JSON Schema, a CI
  workflow) is copied into the site under its own path, so every link on the site resolves.
- **The notebooks are executed once, at build time.** Each notebook in ``notebooks/`` runs with
  nbclient in that folder, as ``tests/test_notebooks.py`` runs it, and the executed copy (pictures
  included) is what mkdocs-jupyter renders. A cell that raises stops the build: the site never
  shows a traceback.
"""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
import time
from pathlib import Path, PurePosixPath

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files, InclusionLevel

log = logging.getLogger("mkdocs.hooks.site")

ROOT = Path(__file__).resolve().parents[2]
README = PurePosixPath("README.md")
NOTEBOOK_CELL_TIMEOUT = 120  # seconds a cell may take; the slowest takes a few

# An inline link or image target: ](target) or ](target "title"). Fenced code is left alone.
LINK = re.compile(r"\]\((?P<target>[^)\s]+)(?P<rest>(?:\s+\"[^\"]*\")?\))")
FENCE = re.compile(r"^\s*(```|~~~)")

# nbconvert's page template loads MathJax (an empty src here) and, when a page has a diagram, Mermaid
# from a CDN. The notebooks use neither, and the site loads no code from another host: such a
# <script> (empty or absolute src, or a body that imports from a URL) is taken out of notebook pages.
FOREIGN_SCRIPT = re.compile(r'<script[^>]*\bsrc="(?:https?:)?(?://[^"]*)?"[^>]*>\s*</script>'
                            r'|<script[^>]*>(?:(?!</script>).)*?import\("https?://(?:(?!</script>).)*?</script>', re.S)

_executed_dir: Path | None = None


@event_priority(100)  # before mkdocs-jupyter's on_files, which must see the executed notebooks
def on_files(files: Files, config) -> Files:
    files.append(File.generated(config, "index.md", abs_src_path=str(ROOT / README)))
    executed = execute_notebooks(sorted((ROOT / "notebooks").glob("*.ipynb")))
    for book in executed.glob("notebooks/*.ipynb"):
        # a plain File under the temporary folder, not File.generated: mkdocs-jupyter's wrapper of a
        # file reads abs_src_path from src_dir, which a generated file lacks
        files.append(File(f"notebooks/{book.name}", src_dir=str(executed), dest_dir=config.site_dir,
                          use_directory_urls=config.use_directory_urls))
    pages = [ROOT / README] + sorted((ROOT / "docs").rglob("*.md"))
    for linked in sorted({path for page in pages for path in repository_files_linked(page)}):
        if files.get_file_from_path(str(linked)) is None:
            files.append(File.generated(config, str(linked), abs_src_path=str(ROOT / linked),
                                        inclusion=InclusionLevel.INCLUDED))  # .github/ too
    return files


def on_page_markdown(markdown: str, page, config, files) -> str:
    return rewrite_links(markdown, repository_place(page.file.src_uri))


def on_post_page(html: str, page, config) -> str:
    if not page.file.src_uri.endswith(".ipynb"):
        return html
    return FOREIGN_SCRIPT.sub("", html)


def on_post_build(config) -> None:
    remove_executed()


def on_build_error(error) -> None:
    remove_executed()


def execute_notebooks(books: list[Path]) -> Path:
    """Run each notebook in its own folder; return the temporary folder whose notebooks/ has the executed copies.

    A kernel's own stderr (ipykernel's notice that it talks over local TCP) goes to a file beside the
    copy, and is shown only if the notebook fails."""
    import nbclient
    import nbformat

    global _executed_dir
    remove_executed()
    _executed_dir = Path(tempfile.mkdtemp(prefix="harness-site-"))
    (_executed_dir / "notebooks").mkdir()  # mkdocs-jupyter renders what matches notebooks/*.ipynb
    for path in books:
        started = time.perf_counter()
        book = nbformat.read(path, as_version=4)
        kernel_log = _executed_dir / f"{path.stem}.kernel.log"
        client = nbclient.NotebookClient(book, timeout=NOTEBOOK_CELL_TIMEOUT, kernel_name="python3",
                                         resources={"metadata": {"path": str(path.parent)}})
        try:
            with kernel_log.open("w") as stderr:
                client.execute(stderr=stderr)
        except Exception as error:
            raise PluginError(f"notebooks/{path.name} failed, so the site is not built:\n{error}\n"
                              f"{kernel_log.read_text()[-2000:]}") from error
        nbformat.write(book, _executed_dir / "notebooks" / path.name)
        log.info("executed notebooks/%s in %.1f s", path.name, time.perf_counter() - started)
    return _executed_dir


def remove_executed() -> None:
    global _executed_dir
    if _executed_dir is not None:
        shutil.rmtree(_executed_dir, ignore_errors=True)
        _executed_dir = None


def repository_place(src_uri: str) -> PurePosixPath:
    """Where a page of the site lives in the repository: index.md is the README, the rest is docs/."""
    return README if src_uri == "index.md" else PurePosixPath("docs", src_uri)


def site_place(repo_path: PurePosixPath) -> PurePosixPath:
    """Where a repository file lives in the site: the README is index.md, docs/X is X, others keep their path."""
    if repo_path == README:
        return PurePosixPath("index.md")
    if repo_path.parts[:1] == ("docs",):
        return PurePosixPath(*repo_path.parts[1:])
    return repo_path


def rewrite_links(markdown: str, page: PurePosixPath) -> str:
    """Point every relative link of a page (kept at ``page`` in the repository) at its place in the site."""
    here = site_place(page).parent

    def mapped(match: re.Match) -> str:
        target = resolve(page, match["target"])
        if target is None:
            return match[0]
        path, anchor = target
        return f"]({relative(site_place(path), here)}{anchor}{match['rest']}"

    out, in_fence = [], False
    for line in markdown.splitlines(keepends=True):
        if FENCE.match(line):
            in_fence = not in_fence
        out.append(line if in_fence else LINK.sub(mapped, line))
    return "".join(out)


def repository_files_linked(page: Path) -> set[PurePosixPath]:
    """The repository files, outside docs/ and other than the README, that a page links to."""
    place = PurePosixPath(page.relative_to(ROOT).as_posix())
    linked = set()
    for match in LINK.finditer(page.read_text(encoding="utf-8")):
        target = resolve(place, match["target"])
        if target and target[0] != README and target[0].parts[:1] != ("docs",):
            linked.add(target[0])
    return linked


def resolve(page: PurePosixPath, target: str) -> tuple[PurePosixPath, str] | None:
    """A relative link's repository file and its #anchor, or None for a URL, an anchor alone or no file."""
    if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith(("#", "/")):
        return None
    path, _, anchor = target.partition("#")
    parts: list[str] = list(page.parent.parts)
    for part in PurePosixPath(path).parts:
        if part == "..":
            if not parts:
                return None
            parts.pop()
        elif part != ".":
            parts.append(part)
    resolved = PurePosixPath(*parts)
    if not (ROOT / resolved).is_file():
        return None
    return resolved, f"#{anchor}" if anchor else ""


def relative(target: PurePosixPath, start: PurePosixPath) -> str:
    up = [".."] * len([p for p in start.parts if p not in ("", ".")])
    return PurePosixPath(*up, target).as_posix() if up else target.as_posix()
