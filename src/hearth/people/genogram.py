"""A small relationship map (genogram) drawn on the server as inline SVG.

The layout is a pure function of the records, with fixed rules and no script:

- the person in the centre (a thicker outline, shaded);
- parents and step-parents in the row above, either side of the line down to the person;
- siblings and half-siblings beside the person, to the left, hanging from a sibling bar;
- children and step-children in the row below, centred under the person, hanging from a bar;
- everyone else (grandparents, other relatives, carers, household members, friends,
  professionals) in an "Others" column to the right, without lines.

Squares are male, circles female, diamonds unknown, a triangle an unborn child. A deceased
person's symbol is crossed through. An ended relationship's lines and symbol outline are dashed.
The SVG has ``role="img"`` and a ``<title>`` summary; the page lists the same people as text
beside it, which is the accessible equivalent.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from .codes import RelationshipKind, Sex

SIZE = 36  # a symbol's width and height
COLUMN = 130  # distance between columns
ROW = 120  # distance between rows
MARGIN_X = 70  # room for a label half as wide as a column
MARGIN_TOP = 50  # room for the "Others" heading above the top row
LABEL_ROOM = 44  # two lines of text under a symbol, from its lower edge
MIN_WIDTH = 4 * COLUMN  # small maps are not blown up when the SVG fills its column
BAR_GAP = 16  # how far above the symbols a sibling or children's bar runs
NAME_LENGTH = 17  # longer names are shortened so neighbouring labels do not touch

PARENT_KINDS = (RelationshipKind.MOTHER, RelationshipKind.FATHER, RelationshipKind.STEP_PARENT)
SIBLING_KINDS = (RelationshipKind.SIBLING, RelationshipKind.HALF_SIBLING)
CHILD_KINDS = (RelationshipKind.CHILD, RelationshipKind.STEP_CHILD)
# Others in a fixed order: family first, then the household, then professionals.
OTHER_KINDS = (
    RelationshipKind.PARTNER,
    RelationshipKind.FORMER_PARTNER,
    RelationshipKind.GRANDPARENT,
    RelationshipKind.GRANDCHILD,
    RelationshipKind.OTHER_RELATIVE,
    RelationshipKind.CARER,
    RelationshipKind.CARED_FOR,
    RelationshipKind.HOUSEHOLD_MEMBER,
    RelationshipKind.FRIEND,
    RelationshipKind.PROFESSIONAL,
    RelationshipKind.CLIENT,
)
KIND_ORDER = (*PARENT_KINDS, *SIBLING_KINDS, *CHILD_KINDS, *OTHER_KINDS)
GROUPS = ("parent", "sibling", "child", "other")
GROUP_NAMES = {
    "parent": ("parent", "parents"),
    "sibling": ("sibling", "siblings"),
    "child": ("child", "children"),
    "other": ("other person", "other people"),
}
# The label under a relative: what they are to the person in the centre.
ROLE_LABELS: dict[str, str] = {
    RelationshipKind.MOTHER: "Mother",
    RelationshipKind.FATHER: "Father",
    RelationshipKind.STEP_PARENT: "Step-parent",
    RelationshipKind.SIBLING: "Sibling",
    RelationshipKind.HALF_SIBLING: "Half-sibling",
    RelationshipKind.CHILD: "Child",
    RelationshipKind.STEP_CHILD: "Step-child",
    RelationshipKind.GRANDPARENT: "Grandparent",
    RelationshipKind.GRANDCHILD: "Grandchild",
    RelationshipKind.OTHER_RELATIVE: "Other relative",
    RelationshipKind.CARER: "Carer",
    RelationshipKind.CARED_FOR: "Cared for",
    RelationshipKind.PARTNER: "Partner",
    RelationshipKind.FORMER_PARTNER: "Former partner",
    RelationshipKind.HOUSEHOLD_MEMBER: "Household",
    RelationshipKind.FRIEND: "Friend",
    RelationshipKind.PROFESSIONAL: "Professional",
    RelationshipKind.CLIENT: "Supported",
}


@dataclass(frozen=True)
class Figure:
    """Someone drawn on the map. `kind` is what they are to the person in the centre."""

    name: str
    sex: str = Sex.UNKNOWN
    deceased: bool = False
    unborn: bool = False
    kind: str = ""
    ended: bool = False
    key: str = ""


@dataclass(frozen=True)
class Node:
    key: str
    name: str
    role: str
    group: str  # centre, parent, sibling, child, other
    x: float
    y: float
    shape: str  # square, circle, diamond, triangle
    deceased: bool
    ended: bool

    @property
    def centre(self) -> bool:
        return self.group == "centre"


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    group: str  # parent, sibling, child, other
    dashed: bool


@dataclass(frozen=True)
class Genogram:
    width: float
    height: float
    nodes: list[Node] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    summary: str = ""
    others_x: float | None = None  # where the "Others" column is, for its heading

    def node(self, key: str) -> Node:
        return next(n for n in self.nodes if n.key == key)


def kind_rank(kind: str) -> int:
    """Where a kind of relationship comes in lists: parents, siblings, children, others."""
    return KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)


def group_of(kind: str) -> str:
    if kind in PARENT_KINDS:
        return "parent"
    if kind in SIBLING_KINDS:
        return "sibling"
    if kind in CHILD_KINDS:
        return "child"
    return "other"


def shape_of(figure: Figure) -> str:
    if figure.unborn:
        return "triangle"
    shapes: dict[str, str] = {Sex.MALE: "square", Sex.FEMALE: "circle"}
    return shapes.get(figure.sex, "diamond")


def _order(kinds: Sequence[str], figures: Iterable[Figure]) -> list[Figure]:
    """Deterministic: by kind in the given order, ongoing before ended, then name and key."""
    return sorted(
        figures,
        key=lambda f: (
            kinds.index(f.kind) if f.kind in kinds else len(kinds),
            f.ended,
            f.name.lower(),
            f.key,
        ),
    )


def _centred(count: int) -> list[float]:
    """Column offsets for `count` symbols centred on column 0: 3 -> [-1, 0, 1]."""
    return [i - (count - 1) / 2 for i in range(count)]


def _either_side(count: int) -> list[float]:
    """Column offsets that never sit on column 0, first left, then right, then further out:
    parents are joined beside their symbols and the line down to the person runs between them."""
    return [(-1 if i % 2 == 0 else 1) * (0.5 + i // 2) for i in range(count)]


def _inward(nodes: list[Node], centre_x: float) -> list[tuple[Node, Node | None]]:
    """Each node on a row with its neighbour towards `centre_x` (None: nothing between)."""
    pairs: list[tuple[Node, Node | None]] = []
    for side in (-1, 1):
        on_side = sorted(
            (n for n in nodes if (n.x - centre_x) * side > 0), key=lambda n: abs(n.x - centre_x)
        )
        pairs += zip(on_side, [None, *on_side][: len(on_side)], strict=True)
    pairs += [(n, None) for n in nodes if n.x == centre_x]
    return pairs


def _summary(centre: Figure, groups: dict[str, list[Figure]]) -> str:
    parts = []
    for group in GROUPS:
        count = len(groups[group])
        if count:
            singular, plural = GROUP_NAMES[group]
            parts.append(f"{count} {singular if count == 1 else plural}")
    if not parts:
        return f"Relationship map for {centre.name}: no relationships recorded."
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return (
        f"Relationship map for {centre.name}: {listed}. The list beside the map names each of them."
    )


def layout(centre: Figure, relatives: Iterable[Figure]) -> Genogram:
    """Place the centre person and their relatives on a grid and join them with lines."""
    groups: dict[str, list[Figure]] = {g: [] for g in GROUPS}
    for figure in relatives:
        groups[group_of(figure.kind)].append(figure)
    parents = _order(PARENT_KINDS, groups["parent"])
    siblings = _order(SIBLING_KINDS, groups["sibling"])
    children = _order(CHILD_KINDS, groups["child"])
    others = _order(OTHER_KINDS, groups["other"])

    # Rows in use: parents (if any), the centre, children (if any).
    centre_row = 1 if parents else 0
    child_row = centre_row + 1

    # Grid positions (column, row) before turning into pixels.
    cells: list[tuple[Figure, str, float, float]] = [(centre, "centre", 0.0, centre_row)]
    cells += [(f, "parent", c, 0) for f, c in zip(parents, _either_side(len(parents)), strict=True)]
    cells += [(f, "sibling", -1.0 - i, centre_row) for i, f in enumerate(siblings)]
    cells += [
        (f, "child", c, child_row) for f, c in zip(children, _centred(len(children)), strict=True)
    ]
    main_right = max(col for _f, _g, col, _r in cells)
    cells += [(f, "other", main_right + 1.25, i) for i, f in enumerate(others)]

    min_col = min(col for _f, _g, col, _r in cells)
    max_col = max(col for _f, _g, col, _r in cells)
    max_row = max(row for _f, _g, _c, row in cells)
    content_width = (max_col - min_col) * COLUMN + 2 * MARGIN_X
    width = max(content_width, MIN_WIDTH)
    left = MARGIN_X + (width - content_width) / 2  # centre a small map in its minimum width
    height = MARGIN_TOP + max_row * ROW + SIZE / 2 + LABEL_ROOM

    nodes = [
        Node(
            key=figure.key or (group if group == "centre" else f"{group}-{index}"),
            name=figure.name,
            role="" if group == "centre" else ROLE_LABELS.get(figure.kind, figure.kind),
            group=group,
            x=left + (col - min_col) * COLUMN,
            y=MARGIN_TOP + row * ROW,
            shape=shape_of(figure),
            deceased=figure.deceased,
            ended=figure.ended,
        )
        for index, (figure, group, col, row) in enumerate(cells)
    ]
    others_x = nodes[-1].x if others else None
    return Genogram(
        width=width,
        height=height,
        nodes=nodes,
        lines=_lines(nodes),
        summary=_summary(
            centre, {"parent": parents, "sibling": siblings, "child": children, "other": others}
        ),
        others_x=others_x,
    )


def _lines(nodes: list[Node]) -> list[Line]:
    """Genogram lines. Parents are joined beside their symbols to a line that runs down to the
    person (or to the sibling bar above the person and their siblings); children hang from a
    bar below the person's label. Each relative owns the lines that reach only them, dashed
    when the relationship has ended; a shared line is dashed only when all of theirs are."""
    me = nodes[0]
    half = SIZE / 2
    lines: list[Line] = []
    parents = [n for n in nodes if n.group == "parent"]
    siblings = [n for n in nodes if n.group == "sibling"]
    children = [n for n in nodes if n.group == "child"]
    sibling_bar = me.y - half - BAR_GAP

    if parents:
        row_y = parents[0].y
        for node, nearer in _inward(parents, me.x):
            inward = 1 if node.x < me.x else -1
            end = me.x if nearer is None else nearer.x - inward * half
            lines.append(Line(node.x + inward * half, row_y, end, row_y, "parent", node.ended))
        down_to = sibling_bar if siblings else me.y - half
        ended = all(n.ended for n in parents)
        lines.append(Line(me.x, row_y, me.x, down_to, "parent", ended))

    if siblings:
        lines.append(Line(me.x, me.y - half, me.x, sibling_bar, "sibling", False))
        for node, nearer in _inward(siblings, me.x):
            towards = me.x if nearer is None else nearer.x
            lines.append(Line(node.x, node.y - half, node.x, sibling_bar, "sibling", node.ended))
            lines.append(Line(node.x, sibling_bar, towards, sibling_bar, "sibling", node.ended))

    if children:
        bar = children[0].y - half - BAR_GAP
        ended = all(n.ended for n in children)
        lines.append(Line(me.x, me.y + half + LABEL_ROOM, me.x, bar, "child", ended))
        for node, nearer in _inward(children, me.x):
            towards = me.x if nearer is None else nearer.x
            if towards != node.x:
                lines.append(Line(node.x, bar, towards, bar, "child", node.ended))
            lines.append(Line(node.x, bar, node.x, node.y - half, "child", node.ended))
    return lines


# --- drawing -------------------------------------------------------------------------------------

INK = "#0b0c0c"
CENTRE_FILL = "#d2e2f1"
ENDED_INK = "#484949"


def _n(value: float) -> str:
    """Coordinates without needless decimals: 70.0 -> "70", 12.5 -> "12.5"."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _shape(node: Node) -> SafeString:
    half = SIZE / 2
    fill = CENTRE_FILL if node.centre else "#ffffff"
    stroke = 4 if node.centre else 2
    common = format_html(
        'fill="{}" stroke="{}" stroke-width="{}" stroke-dasharray="{}"',
        fill,
        INK,
        stroke,
        "5 3" if node.ended else "none",
    )
    x, y = node.x, node.y
    if node.shape == "square":
        return format_html(
            '<rect x="{}" y="{}" width="{}" height="{}" {}/>',
            _n(x - half),
            _n(y - half),
            SIZE,
            SIZE,
            common,
        )
    if node.shape == "circle":
        return format_html('<circle cx="{}" cy="{}" r="{}" {}/>', _n(x), _n(y), _n(half), common)
    if node.shape == "triangle":
        points = [(x, y - half), (x + half, y + half), (x - half, y + half)]
    else:
        points = [(x, y - half), (x + half, y), (x, y + half), (x - half, y)]
    return format_html(
        '<polygon points="{}" {}/>', " ".join(f"{_n(a)},{_n(b)}" for a, b in points), common
    )


def _cross(node: Node) -> SafeString:
    reach = SIZE / 2 + 5
    return format_html(
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="2"/>'
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="2"/>',
        _n(node.x - reach),
        _n(node.y - reach),
        _n(node.x + reach),
        _n(node.y + reach),
        INK,
        _n(node.x - reach),
        _n(node.y + reach),
        _n(node.x + reach),
        _n(node.y - reach),
        INK,
    )


def _short(name: str) -> str:
    return name if len(name) <= NAME_LENGTH else name[: NAME_LENGTH - 1].rstrip() + "…"


def _label(node: Node) -> SafeString:
    top = node.y + SIZE / 2 + 17
    text = format_html(
        '<text x="{}" y="{}" text-anchor="middle" font-family="arial, sans-serif" '
        'font-size="14" font-weight="{}">{}</text>',
        _n(node.x),
        _n(top),
        "bold" if node.centre else "normal",
        _short(node.name),
    )
    if not node.role:
        return text
    role = node.role + (" (ended)" if node.ended else "")
    role += ", died" if node.deceased else ""
    return format_html(
        '{}<text x="{}" y="{}" text-anchor="middle" font-family="arial, sans-serif" '
        'font-size="12" fill="{}">{}</text>',
        text,
        _n(node.x),
        _n(top + 16),
        ENDED_INK,
        role,
    )


def _line(line: Line) -> SafeString:
    return format_html(
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="2" '
        'stroke-dasharray="{}"/>',
        _n(line.x1),
        _n(line.y1),
        _n(line.x2),
        _n(line.y2),
        ENDED_INK if line.dashed else INK,
        "6 4" if line.dashed else "none",
    )


def render_svg(genogram: Genogram, *, title_id: str = "genogram-title") -> SafeString:
    """The map as inline SVG (presentation attributes only: the CSP allows no inline style)."""
    lines = format_html_join("", "{}", ((_line(line),) for line in genogram.lines))
    shapes = format_html_join("", "{}{}", ((_shape(n), _label(n)) for n in genogram.nodes))
    crosses = format_html_join("", "{}", ((_cross(n),) for n in genogram.nodes if n.deceased))
    heading = (
        format_html(
            '<text x="{}" y="{}" text-anchor="middle" font-family="arial, sans-serif" '
            'font-size="14" font-weight="bold">Others</text>',
            _n(genogram.others_x),
            _n(MARGIN_TOP - SIZE / 2 - 12),
        )
        if genogram.others_x is not None
        else ""
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" '
        'role="img" aria-labelledby="{tid}" focusable="false">'
        '<title id="{tid}">{summary}</title>'
        "<g>{lines}</g><g>{shapes}</g><g>{crosses}</g>{heading}</svg>",
        w=_n(genogram.width),
        h=_n(genogram.height),
        tid=title_id,
        summary=genogram.summary,
        lines=lines,
        shapes=shapes,
        crosses=crosses,
        heading=heading,
    )
