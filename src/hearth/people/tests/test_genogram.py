"""The relationship map: layout rules (positions, shapes, line styles) and the SVG it draws."""

from __future__ import annotations

import random
import re

from hearth.people import genogram
from hearth.people.genogram import Figure, layout, render_svg

ME = Figure(name="Ellis Marsh", sex="F")


def rel(name: str, kind: str, sex: str = "U", **extra: object) -> Figure:
    return Figure(name=name, sex=sex, kind=kind, key=name, **extra)  # type: ignore[arg-type]


FAMILY = [
    rel("Dana Marsh", "mother", "F"),
    rel("Rowan Marsh", "father", "M"),
    rel("Sam Pike", "step_parent", "M"),
    rel("Ari Marsh", "sibling", "M"),
    rel("Bo Marsh", "half_sibling", "F"),
    rel("Kit Marsh", "child", "U"),
    rel("Lee Marsh", "child", "M"),
    rel("Nan Marsh", "grandparent", "F"),
    rel("Pat Carer", "carer", "F"),
    rel("Dr Quill", "professional", "M"),
]


def test_a_person_alone_is_centred_in_the_minimum_width() -> None:
    g = layout(ME, [])
    assert len(g.nodes) == 1 and g.lines == []
    me = g.node("centre")
    assert me.x == g.width / 2 == genogram.MIN_WIDTH / 2
    assert me.y == genogram.MARGIN_TOP
    assert g.summary == "Relationship map for Ellis Marsh: no relationships recorded."


def test_parents_above_siblings_beside_children_below_others_to_the_side() -> None:
    g = layout(ME, FAMILY)
    me = g.node("centre")
    mother, father, step = (g.node(n) for n in ("Dana Marsh", "Rowan Marsh", "Sam Pike"))
    siblings = [g.node(n) for n in ("Ari Marsh", "Bo Marsh")]
    children = [g.node(n) for n in ("Kit Marsh", "Lee Marsh")]
    others = [g.node(n) for n in ("Nan Marsh", "Pat Carer", "Dr Quill")]

    assert {p.y for p in (mother, father, step)} == {me.y - genogram.ROW}
    # Mother just left of the line down to the person, father just right, step-parent further.
    assert mother.x == me.x - genogram.COLUMN / 2
    assert father.x == me.x + genogram.COLUMN / 2
    assert step.x == me.x - 1.5 * genogram.COLUMN
    assert {s.y for s in siblings} == {me.y}
    assert [s.x for s in siblings] == [me.x - genogram.COLUMN, me.x - 2 * genogram.COLUMN]
    assert {c.y for c in children} == {me.y + genogram.ROW}
    assert sum(c.x for c in children) / 2 == me.x  # centred under the person
    rightmost_family = max(n.x for n in g.nodes if n.group != "other")
    assert {o.x for o in others} == {rightmost_family + 1.25 * genogram.COLUMN}
    assert [o.y for o in others] == sorted(o.y for o in others)  # stacked, family first
    assert [o.role for o in others] == ["Grandparent", "Carer", "Professional"]
    assert g.others_x == others[0].x
    assert g.width == max(n.x for n in g.nodes) + genogram.MARGIN_X
    assert min(n.x for n in g.nodes) == genogram.MARGIN_X
    assert g.height > max(n.y for n in g.nodes)


def test_without_parents_the_person_is_in_the_top_row() -> None:
    g = layout(ME, [rel("Kit Marsh", "child")])
    assert g.node("centre").y == genogram.MARGIN_TOP
    assert g.node("Kit Marsh").y == genogram.MARGIN_TOP + genogram.ROW
    assert g.others_x is None


def test_shapes_follow_sex_and_an_unborn_child_is_a_triangle() -> None:
    g = layout(
        ME,
        [
            rel("Rowan Marsh", "father", "M"),
            rel("Dana Marsh", "mother", "F"),
            rel("Ari Marsh", "sibling", "U"),
            rel("Baby Marsh", "child", "U", unborn=True),
        ],
    )
    assert g.node("Rowan Marsh").shape == "square"
    assert g.node("Dana Marsh").shape == "circle"
    assert g.node("Ari Marsh").shape == "diamond"
    assert g.node("Baby Marsh").shape == "triangle"
    assert g.node("centre").shape == "circle"


def test_parents_join_beside_their_symbols_and_one_line_runs_down_to_the_person() -> None:
    g = layout(
        ME, [rel("Dana Marsh", "mother", "F"), rel("Sam Pike", "step_parent", "M", ended=True)]
    )
    me, mother, step = g.node("centre"), g.node("Dana Marsh"), g.node("Sam Pike")
    half = genogram.SIZE / 2
    lines = {(ln.x1, ln.y1, ln.x2, ln.y2): ln.dashed for ln in g.lines}
    assert all(ln.group == "parent" for ln in g.lines) and len(lines) == 3
    assert lines[(mother.x + half, mother.y, me.x, mother.y)] is False  # mother to the line
    assert lines[(step.x - half, step.y, me.x, step.y)] is True  # ended: dashed
    assert lines[(me.x, mother.y, me.x, me.y - half)] is False  # down to the person


def test_the_line_down_is_dashed_only_when_every_parent_relationship_has_ended() -> None:
    g = layout(ME, [rel("Dana Marsh", "mother", "F", ended=True)])
    assert [ln.dashed for ln in g.lines] == [True, True]


def test_children_hang_from_a_bar_below_the_persons_label() -> None:
    g = layout(
        ME,
        [
            rel("Kit Marsh", "child"),
            rel("Lee Marsh", "child", ended=True),
            rel("Mo Marsh", "child"),
        ],
    )
    me = g.node("centre")
    kit, lee, mo = (g.node(n) for n in ("Kit Marsh", "Lee Marsh", "Mo Marsh"))
    half = genogram.SIZE / 2
    bar = kit.y - half - genogram.BAR_GAP
    lines = {(ln.x1, ln.y1, ln.x2, ln.y2): ln.dashed for ln in g.lines}
    assert all(ln.group == "child" for ln in g.lines)
    assert lines[(me.x, me.y + half + genogram.LABEL_ROOM, me.x, bar)] is False
    # Ongoing before ended: Kit, Mo, Lee; the middle one sits under the person (no bar piece).
    assert kit.x < mo.x == me.x < lee.x
    assert lines[(lee.x, bar, lee.x, lee.y - half)] is True
    assert lines[(lee.x, bar, me.x, bar)] is True
    assert lines[(kit.x, bar, me.x, bar)] is False
    assert lines[(mo.x, bar, mo.x, mo.y - half)] is False
    assert len(lines) == 1 + 3 + 2


def test_others_have_no_lines_and_an_ended_one_has_a_dashed_outline() -> None:
    g = layout(ME, [rel("Pat Carer", "carer", "F", ended=True)])
    assert g.lines == []
    svg = str(render_svg(g))
    assert svg.count('stroke-dasharray="5 3"') == 1
    assert ">Others</text>" in svg


def test_siblings_hang_from_a_bar_and_each_owns_its_segment() -> None:
    g = layout(ME, [rel("Ari Marsh", "sibling"), rel("Bo Marsh", "sibling", ended=True)])
    lines = [ln for ln in g.lines if ln.group == "sibling"]
    assert len(lines) == 1 + 2 * 2  # the person's drop, then a drop and a bar piece each
    bar_y = g.node("centre").y - genogram.SIZE / 2 - genogram.BAR_GAP
    bars = [ln for ln in lines if ln.y1 == ln.y2 == bar_y]
    assert len(bars) == 2
    ari, bo = g.node("Ari Marsh"), g.node("Bo Marsh")
    assert {(min(b.x1, b.x2), max(b.x1, b.x2), b.dashed) for b in bars} == {
        (ari.x, g.node("centre").x, False),
        (bo.x, ari.x, True),
    }


def test_with_parents_and_siblings_the_line_down_meets_the_sibling_bar() -> None:
    g = layout(ME, [rel("Dana Marsh", "mother", "F"), rel("Ari Marsh", "sibling")])
    me = g.node("centre")
    bar_y = me.y - genogram.SIZE / 2 - genogram.BAR_GAP
    (down,) = [ln for ln in g.lines if ln.group == "parent" and ln.x1 == ln.x2]
    assert (down.x1, down.y2) == (me.x, bar_y)


def test_layout_is_deterministic_whatever_the_order_of_the_records() -> None:
    first = layout(ME, FAMILY)
    shuffled = FAMILY[:]
    random.Random(4).shuffle(shuffled)
    assert layout(ME, shuffled) == first


def test_summary_counts_each_group() -> None:
    assert layout(ME, FAMILY).summary == (
        "Relationship map for Ellis Marsh: 3 parents, 2 siblings, 2 children and 3 other "
        "people. The list beside the map names each of them."
    )
    assert "1 child." in layout(ME, [rel("Kit Marsh", "child")]).summary


def test_svg_is_an_image_with_a_title_and_presentation_attributes_only() -> None:
    svg = str(render_svg(layout(ME, FAMILY)))
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert 'role="img"' in svg and 'aria-labelledby="genogram-title"' in svg
    assert '<title id="genogram-title">Relationship map for Ellis Marsh: 3 parents' in svg
    assert "style" not in svg and "<script" not in svg
    assert svg.count("<rect") == 5  # Rowan, Sam, Ari, Lee, Dr Quill
    assert svg.count("<circle") == 5  # Ellis, Dana, Bo, Nan, Pat
    assert svg.count("<polygon") == 1  # Kit (not known)


def test_svg_dashes_ended_lines_and_crosses_the_deceased() -> None:
    g = layout(
        ME,
        [
            rel("Rowan Marsh", "father", "M", deceased=True),
            rel("Sam Pike", "step_parent", "M", ended=True),
        ],
    )
    svg = str(render_svg(g))
    assert svg.count('stroke-dasharray="6 4"') == 1  # Sam's line
    assert svg.count('stroke-dasharray="5 3"') == 1  # Sam's outline
    rowan = g.node("Rowan Marsh")
    reach = genogram.SIZE / 2 + 5
    cross = f'x1="{rowan.x - reach:g}" y1="{rowan.y - reach:g}" x2="{rowan.x + reach:g}"'
    assert cross in svg
    assert "Father, died" in svg and "Step-parent (ended)" in svg
    assert len(re.findall(r"<line ", svg)) == 3 + 2  # two joins, the line down, one cross


def test_svg_escapes_names_and_shortens_long_ones() -> None:
    svg = str(
        render_svg(
            layout(Figure(name="<b>Jo</b>"), [rel("Bartholomew Featherstonehaugh", "father", "M")])
        )
    )
    assert "<b>" not in svg and "&lt;b&gt;Jo&lt;/b&gt;" in svg
    assert "Bartholomew Feat…" in svg
