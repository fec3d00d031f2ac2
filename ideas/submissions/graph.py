"""An idea's family drawn as a directed graph: an SVG laid out by Graphviz's ``dot``.

Why ``dot``: it is a real layered (Sugiyama) layout engine — ranks, crossing
reduction, spline edges — which is what a build-on graph needs (what an idea
builds on above it, what builds on it below); it is packaged by Debian
(``graphviz``), so the server needs no other service; and it is deterministic:
the same family gives the same drawing, which makes the drawing cacheable and
testable. Writing a layered layout by hand would be a worse copy of it.

Safety: titles are people's words. In the DOT text every string is quoted and
escaped (``dot_string``), node names are ``n`` and an id, and URLs are ours.
Whatever ``dot`` writes back is parsed as XML (no DTD, no network, no entities
resolved), every attribute but the drawing's geometry and our own classes is
dropped, and every text the SVG shows is set again from our own data, so
lxml escapes it. The result is inlined in the page: each idea is a real
``<a href>`` with a ``<title>``, colours come from the stylesheet's custom
properties (both colour schemes), and no script or style attribute is needed.

``dot`` runs as a subprocess with a timeout, never blocking the event loop; its
drawings are kept per process, keyed by a hash of the DOT text (which holds
every title, count and link drawn), so a family is laid out again only when it
changes. Without ``dot`` the lineage page shows its lists alone (``ideas
check`` warns).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
import shutil
import textwrap
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree
from markupsafe import Markup

from ideas.accounts.names import public_name
from ideas.i18n import _, ngettext
from ideas.submissions.lineage import Family
from ideas.submissions.models import Idea

log = logging.getLogger(__name__)

DOT = "dot"
TIMEOUT = 10.0  # seconds: 200 ideas take well under one
CACHE_ENTRIES = 256
LINE_WIDTH = 22  # characters of a title on one line of a box
MAX_LINES = 3
STAGGER_FROM = 4  # leaves under one parent before they are staggered over ranks
PER_RANK = 12  # staggered leaves to a rank, roughly
MAX_LEVELS = 12
CONCENTRATE = "  graph [concentrate=true];"
SVG = "http://www.w3.org/2000/svg"
# The geometry dot draws with; every other attribute it writes (fill, stroke, fonts,
# ids, xlink) is dropped: colours and fonts come from the stylesheet.
KEPT_ATTRIBUTES = {
    "svg": {"width", "height", "viewBox"},
    "g": {"transform"},
    "polygon": {"points"},
    "ellipse": {"cx", "cy", "rx", "ry"},
    "path": {"d"},
    "polyline": {"points"},
    "text": {"x", "y", "text-anchor", "font-size"},
}

_cache: OrderedDict[str, Markup] = OrderedDict()
_drawing: dict[str, asyncio.Future[Markup | None]] = {}
_statistics = {"layouts": 0, "hits": 0}


def available() -> bool:
    """Whether ``dot`` can be run here."""
    return shutil.which(DOT) is not None


def dot_string(text: str) -> str:
    """``text`` as a DOT quoted string: backslashes and quotes escaped, no line breaks,
    so it can neither close the string nor use dot's escapes (``\\N``, ``\\l``…)."""
    flat = " ".join(text.split())
    return '"' + flat.replace("\\", "\\\\").replace('"', '\\"') + '"'


def lines_of(title: str) -> list[str]:
    """A title in at most ``MAX_LINES`` short lines, the last cut with an ellipsis."""
    lines = textwrap.wrap(title, LINE_WIDTH, break_long_words=True) or ["…"]
    if len(lines) > MAX_LINES:
        lines = lines[:MAX_LINES]
        lines[-1] = lines[-1][: LINE_WIDTH - 1].rstrip() + "…"
    return lines


@dataclass(frozen=True)
class Node:
    name: str  # n<id>: the only thing of a node dot names in what it writes back
    lines: list[str]
    title: str  # what the link is called: title, author, influence
    href: str | None  # None: an idea the lineage does not show
    current: bool
    influence: int


def _node(family: Family, idea_id: int, href_for: Callable[[Idea], str]) -> Node:
    idea = family.shown(idea_id)
    current = idea_id == family.root
    if idea is None:
        hidden = _("An idea no longer shown")
        return Node(f"n{idea_id}", lines_of(hidden), hidden, None, current, 0)
    influence = idea.influence
    description = _("%(title)s, by %(name)s", title=idea.title, name=public_name(idea.author))
    descent = ngettext("%(num)d idea descends from it", "%(num)d ideas descend from it", influence)
    if current:
        description = _("%(idea)s (this idea)", idea=description)
    return Node(
        f"n{idea_id}",
        lines_of(idea.title),
        f"{description}. {descent}.",
        href_for(idea),
        current,
        influence,
    )


def dot_source(family: Family, href_for: Callable[[Idea], str]) -> tuple[str, dict[str, Node]]:
    """The DOT text of a family, and its nodes by name; parents above their children."""
    members = sorted(family.ideas)
    nodes = {node.name: node for node in (_node(family, i, href_for) for i in members)}
    out = [
        "digraph family {",
        '  graph [rankdir=TB, nodesep=0.12, ranksep=0.45, margin=0.1, fontname="Helvetica"];',
        '  node [shape=box, style="rounded", fontname="Helvetica", margin="0.14,0.07"];',
        "  edge [arrowsize=0.7];",
    ]
    for node in nodes.values():
        # Bigger boxes for ideas more built upon: the influence, on a square-root scale.
        size = 11 + 1.6 * math.sqrt(min(node.influence, 100))
        label = "\\n".join(line.replace("\\", "\\\\").replace('"', '\\"') for line in node.lines)
        extra = ", peripheries=2, penwidth=2" if node.current else ""
        if node.href is not None:
            # dot wraps a node with a URL in a link, which clean_svg fills in.
            extra += f", URL={dot_string(node.href)}"
        out.append(f'  {node.name} [label="{label}", fontsize={size:.1f}{extra}];')
    # A broad family would make ranks as wide as hundreds of boxes: leaves (ideas nothing
    # builds on) under a parent with many of them are staggered over several ranks, as
    # `unflatten` does, and the edges of one parent run together (concentrate) rather
    # than side by side through every rank: 200 ideas draw about 3,000 points wide
    # instead of 9,000.
    drawn = [e for e in family.edges if f"n{e.parent_id}" in nodes and f"n{e.child_id}" in nodes]
    parents = {edge.parent_id for edge in drawn}
    leaves_of: dict[int, int] = {}
    for edge in drawn:
        if edge.child_id not in parents:
            leaves_of[edge.parent_id] = leaves_of.get(edge.parent_id, 0) + 1
    staggered = sum(n for n in leaves_of.values() if n > STAGGER_FROM)
    levels = min(MAX_LEVELS, max(1, math.ceil(staggered / PER_RANK)))
    seen: dict[int, int] = {}
    for edge in sorted(drawn, key=lambda e: (e.parent_id, e.child_id)):
        minlen = 1
        if edge.child_id not in parents and leaves_of[edge.parent_id] > STAGGER_FROM:
            minlen = 1 + seen.get(edge.parent_id, 0) % levels
            seen[edge.parent_id] = seen.get(edge.parent_id, 0) + 1
        extra = f" [minlen={minlen}]" if minlen > 1 else ""
        out.append(f"  n{edge.parent_id} -> n{edge.child_id}{extra};")
    if levels > 1:
        out.insert(1, CONCENTRATE)
    out.append("}")
    return "\n".join(out) + "\n", nodes


async def _run_dot(source: str) -> bytes | None:
    """``dot -Tsvg`` of ``source``, or None (and a warning logged) if it cannot be had."""
    try:
        process = await asyncio.create_subprocess_exec(
            DOT,
            "-Tsvg",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
    except OSError as error:
        log.warning("lineage graph: cannot run %s (%s); showing the lists alone", DOT, error)
        return None
    try:
        output, errors = await asyncio.wait_for(
            process.communicate(source.encode("utf-8")), TIMEOUT
        )
    except TimeoutError:
        process.kill()
        await process.wait()
        log.warning("lineage graph: %s took more than %ss; showing the lists alone", DOT, TIMEOUT)
        return None
    if process.returncode != 0:
        log.warning("lineage graph: %s failed: %s", DOT, errors.decode(errors="replace")[:500])
        return None
    return output


def _local(element: etree._Element) -> str:
    local: str = etree.QName(element).localname
    return local


def clean_svg(raw: bytes, nodes: dict[str, Node], label: str) -> Markup:
    """dot's SVG, with only its geometry kept and every word and link set from ``nodes``."""
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        remove_comments=True,
        remove_pis=True,
    )
    root = etree.fromstring(raw, parser)
    groups = [
        (group, group.get("class", ""), group.findtext(f"{{{SVG}}}title") or "")
        for group in root.iter(f"{{{SVG}}}g")
    ]
    for element in list(root.iter()):
        kept = KEPT_ATTRIBUTES.get(_local(element), set())
        for attribute in list(element.attrib):
            if attribute not in kept:
                del element.attrib[attribute]
    for title in list(root.iter(f"{{{SVG}}}title")):
        parent = title.getparent()
        assert parent is not None
        parent.remove(title)
    for group, kind, name in groups:
        if kind == "graph":
            # The background dot paints: the page's own shows through instead.
            background = group.find(f"{{{SVG}}}polygon")
            if background is not None:
                group.remove(background)
        elif kind == "edge":
            group.set("class", "lineage-graph__edge")
        elif kind == "node" and name in nodes:
            _fill_node(group, nodes[name])
    root.set("class", "lineage-graph__svg")
    root.set("role", "group")
    root.set("aria-label", label)
    etree.cleanup_namespaces(root)
    return Markup(etree.tostring(root, encoding="unicode"))  # noqa: S704 - rebuilt above


def _fill_node(group: etree._Element, node: Node) -> None:
    """The words of a node from our data, in a link when the idea is shown."""
    classes = ["lineage-graph__node"]
    if node.current:
        classes.append("lineage-graph__node--current")
    if node.href is None:
        classes.append("lineage-graph__node--hidden")
    group.set("class", " ".join(classes))
    # dot wraps a node with a URL in <g><a>…</a></g>; the shapes and texts are inside.
    link = next((e for e in group.iter() if _local(e) == "a"), None)
    body = link if link is not None else group
    texts = [e for e in body.iter() if _local(e) == "text"]
    for text, line in zip(texts, node.lines, strict=False):
        text.text = line
        text.set("aria-hidden", "true")
    if link is None:
        title = etree.Element(f"{{{SVG}}}title")
        title.text = node.title
        group.insert(0, title)
        return
    for attribute in list(link.attrib):
        del link.attrib[attribute]
    assert node.href is not None
    link.set("href", node.href)
    if node.current:
        link.set("aria-current", "page")
    title = etree.Element(f"{{{SVG}}}title")
    title.text = node.title
    link.insert(0, title)


async def family_svg(
    family: Family, href_for: Callable[[Idea], str], *, label: str
) -> Markup | None:
    """The family as inline SVG, or None when ``dot`` is missing or fails.

    Requests for a family being laid out wait for that layout rather than start
    another ``dot``.
    """
    source, nodes = dot_source(family, href_for)
    key = hashlib.sha256(f"{label}\n{source}".encode()).hexdigest()
    found = _cache.get(key)
    if found is not None:
        _cache.move_to_end(key)
        _statistics["hits"] += 1
        return found
    drawing = _drawing.get(key)
    if drawing is None:
        drawing = asyncio.ensure_future(_draw(key, source, nodes, label))
        _drawing[key] = drawing
        drawing.add_done_callback(lambda _done: _drawing.pop(key, None))
    else:
        _statistics["hits"] += 1
    # A request that goes away does not take the drawing away from the others.
    return await asyncio.shield(drawing)


async def _draw(key: str, source: str, nodes: dict[str, Node], label: str) -> Markup | None:
    raw = await _run_dot(source)
    if raw is None and CONCENTRATE in source:
        # dot's edge concentration has failed on some graphs: the plain layout then.
        raw = await _run_dot(source.replace(CONCENTRATE, ""))
    if raw is None:
        return None
    try:
        svg = clean_svg(raw, nodes, label)
    except etree.XMLSyntaxError as error:
        log.warning("lineage graph: %s wrote no SVG (%s); showing the lists alone", DOT, error)
        return None
    _statistics["layouts"] += 1
    _cache[key] = svg
    while len(_cache) > CACHE_ENTRIES:
        _cache.popitem(last=False)
    return svg


def forget() -> None:
    """Empty the cache of drawings (for tests)."""
    _cache.clear()


def statistics() -> dict[str, int]:
    """How many families were laid out and how many came from the cache (for tests)."""
    return dict(_statistics)
