"""A Griffe extension for the docs site's API reference: Sphinx roles in docstrings read as code.

The package's docstrings cite other names the way Sphinx does (``:class:`~harness.runs.diff.DiffReport```,
``:func:`explore```). mkdocstrings renders docstrings as Markdown, where a role would show as
``:class:`` followed by the name; this extension turns each role into a code span of the name
(``DiffReport`` for a ``~`` target, the whole dotted name otherwise), and a paragraph's closing ``::``
(which introduces an indented example in RST) into ``:``, before the docstring is parsed. Double
backticks are already a code span in Markdown, and an indented block is already code, so they stay.
"""

from __future__ import annotations

import re

import griffe

ROLE = re.compile(r":(?:py:)?(?:class|func|meth|mod|attr|exc|data|obj|const):`(?P<tilde>~?)\.?(?P<name>[^`]+)`")
LITERAL_MARK = re.compile(r"(?<=\S)::$", re.M)  # "tests::" before an indented block reads "tests:"


def as_code(text: str) -> str:
    """The text with each Sphinx role written as a Markdown code span of the name it cites."""
    def span(match: re.Match) -> str:
        name = match["name"].rsplit(".", 1)[-1] if match["tilde"] else match["name"]
        return f"`{name}`"
    return LITERAL_MARK.sub(":", ROLE.sub(span, text))


class RstRoles(griffe.Extension):
    """Rewrite every loaded object's docstring with :func:`as_code`."""

    def on_object(self, *, obj: griffe.Object, **kwargs) -> None:
        if obj.docstring is not None:
            obj.docstring.value = as_code(obj.docstring.value)
