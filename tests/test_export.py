"""Captions and the printable script, checked against real plans from the real library."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voiceguide import domain, export, library, planner
from voiceguide.library import Library
from voiceguide.plan import Plan, Segment, renumber
from voiceguide.speechtime import EstimatedSpeech
from voiceguide.timetable import clock

LIB = library.load()

REQUESTS = {
    "self-acute-15": planner.Request(mode="self", stage="acute", minutes=15),
    "partner-subacute-20": planner.Request(mode="partner", stage="subacute", minutes=20),
    "self-chronic-30": planner.Request(mode="self", stage="chronic", minutes=30, focus=("buttock",)),
    "partner-chronic-25-cond": planner.Request(
        mode="partner", stage="chronic", minutes=25, conditions=("anticoagulants", "skin:hamstring")
    ),
}


def build(request: planner.Request, lib: Library = LIB) -> Plan:
    return planner.build(lib, request, timer=EstimatedSpeech())


PLANS = {name: build(request) for name, request in REQUESTS.items()}


@pytest.fixture(params=sorted(PLANS))
def plan(request) -> Plan:
    return PLANS[request.param]


# --- small parsers, written here so the tests do not trust the code they test ------

VTT_TIMING = re.compile(r"^(\d{2}):([0-5]\d):([0-5]\d)\.(\d{3}) --> (\d{2}):([0-5]\d):([0-5]\d)\.(\d{3})$")
SRT_TIMING = re.compile(r"^(\d{2}):([0-5]\d):([0-5]\d),(\d{3}) --> (\d{2}):([0-5]\d):([0-5]\d),(\d{3})$")


def _ms(h: str, m: str, s: str, ms: str) -> int:
    return ((int(h) * 60 + int(m)) * 60 + int(s)) * 1000 + int(ms)


def parse_vtt(text: str) -> list[tuple[int, int, list[str]]]:
    """(start ms, end ms, lines) for each cue; fails on anything that is not a plain cue."""
    assert text.startswith("WEBVTT\n"), "a WebVTT file starts with the WEBVTT line"
    assert "\r" not in text
    blocks = text.rstrip("\n").split("\n\n")
    assert blocks[0] == "WEBVTT"
    cues = []
    for block in blocks[1:]:
        lines = block.split("\n")
        match = VTT_TIMING.match(lines[0])
        assert match, f"bad timing line {lines[0]!r}"
        assert len(lines) >= 2 and all(line.strip() for line in lines[1:]), block
        for line in lines[1:]:
            assert "-->" not in line
            assert not re.search(r"<|&(?!(amp|lt|gt);)", line), f"unescaped markup in {line!r}"
        groups = match.groups()
        cues.append((_ms(*groups[:4]), _ms(*groups[4:]), [html.unescape(line) for line in lines[1:]]))
    return cues


def parse_srt(text: str) -> list[tuple[int, int, int, list[str]]]:
    """(number, start ms, end ms, lines) for each cue."""
    cues = []
    for block in text.rstrip("\n").split("\n\n"):
        lines = block.split("\n")
        assert lines[0].isdigit(), f"bad cue number {lines[0]!r}"
        match = SRT_TIMING.match(lines[1])
        assert match, f"bad timing line {lines[1]!r}"
        assert len(lines) >= 3 and all(line.strip() for line in lines[2:]), block
        groups = match.groups()
        cues.append((int(lines[0]), _ms(*groups[:4]), _ms(*groups[4:]), lines[2:]))
    return cues


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def spoken(plan: Plan) -> list[tuple[int, Segment]]:
    return [(i, s) for i, s in enumerate(plan.segments) if s.kind in ("speech", "checkpoint") and s.text]


def match_cues_to_segments(plan: Plan, cues: list[tuple[int, int, list[str]]]) -> list[list[int]]:
    """Walk cues and spoken segments together: each segment's text is its cues' text, in order."""
    groups: list[list[int]] = []
    position = 0
    for _, seg in spoken(plan):
        expected = squash(seg.text)
        got = ""
        group = []
        while len(got) < len(expected):
            assert position < len(cues), f"no cue left for segment {seg.index}: {seg.text!r}"
            text = squash("".join(cues[position][2]))
            if not got and seg.kind == "checkpoint":
                assert text.startswith("Question:"), cues[position]
                text = text[len("Question:") :]
            got += text
            group.append(position)
            position += 1
        assert got == expected, f"segment {seg.index}: cues say {got!r}, plan says {expected!r}"
        groups.append(group)
    assert position == len(cues), "cues left over that belong to no spoken segment"
    return groups


# --- captions -----------------------------------------------------------------------


def test_vtt_covers_every_spoken_segment_and_starts_where_it_starts(plan):
    cues = parse_vtt(export.captions_vtt(plan))
    groups = match_cues_to_segments(plan, cues)
    segments = plan.segments
    for (position, seg), group in zip(spoken(plan), groups, strict=True):
        assert cues[group[0]][0] == round(seg.start * 1000), f"segment {seg.index} cue starts late or early"
        next_start = round(segments[position + 1].start * 1000) if position + 1 < len(segments) else None
        for i in group:
            start, end, lines = cues[i]
            assert start < end
            if next_start is not None:
                assert end <= next_start, "a cue runs into the next segment"
            assert 1 <= len(lines) <= export.CAPTION_LINES
            assert all(len(line) <= export.CAPTION_WIDTH for line in lines), lines
        # parts of one segment follow each other without a gap
        for a, b in zip(group, group[1:], strict=False):
            assert cues[a][1] == cues[b][0]


def test_cues_are_in_order_and_never_overlap(plan):
    srt = [(s, e, lines) for _, s, e, lines in parse_srt(export.captions_srt(plan))]
    for cues in (parse_vtt(export.captions_vtt(plan)), srt):
        assert cues
        for (s1, e1, _), (s2, e2, _) in zip(cues, cues[1:], strict=False):
            assert s1 < e1 <= s2 < e2


def test_checkpoint_cues_say_question_and_leave_the_answer_window_empty(plan):
    cues = parse_vtt(export.captions_vtt(plan))
    groups = match_cues_to_segments(plan, cues)
    for (_, seg), group in zip(spoken(plan), groups, strict=True):
        first_line = cues[group[0]][2][0]
        last_end = cues[group[-1]][1]
        if seg.kind == "checkpoint":
            assert first_line.startswith("Question: ")
            assert last_end == pytest.approx((seg.start + seg.duration - 8.0) * 1000, abs=2)
        else:
            assert not first_line.startswith("Question: ")
            assert last_end == pytest.approx((seg.start + seg.duration - 0.6) * 1000, abs=2)


def test_srt_is_numbered_from_one_and_matches_the_vtt(plan):
    srt = parse_srt(export.captions_srt(plan))
    vtt = parse_vtt(export.captions_vtt(plan))
    assert [c[0] for c in srt] == list(range(1, len(srt) + 1))
    assert [(s, e, lines) for _, s, e, lines in srt] == vtt
    match_cues_to_segments(plan, [(s, e, lines) for _, s, e, lines in srt])


def test_real_speech_lengths_are_used_and_clamped_to_the_next_segment():
    plan = PLANS["partner-subacute-20"]
    segments = plan.segments
    short = parse_vtt(export.captions_vtt(plan, speech_seconds=lambda text: 1.0))
    first = spoken(plan)[0][1]
    assert short[0][0] == round(first.start * 1000)
    # one second shared out over the first segment's parts
    groups = match_cues_to_segments(plan, short)
    assert short[groups[0][-1]][1] == round(first.start * 1000) + 1000
    long = parse_vtt(export.captions_vtt(plan, speech_seconds=lambda text: 10_000.0))
    groups = match_cues_to_segments(plan, long)
    for (position, _), group in zip(spoken(plan), groups, strict=True):
        assert long[group[-1]][1] == round(segments[position + 1].start * 1000)


def test_a_wider_answer_window_ends_question_captions_sooner():
    plan = PLANS["self-acute-15"]
    default = parse_vtt(export.captions_vtt(plan))
    wider = parse_vtt(export.captions_vtt(plan, answer_window=10.0))
    groups = match_cues_to_segments(plan, default)
    wide_groups = match_cues_to_segments(plan, wider)
    checked = 0
    for (_, seg), group, wide in zip(spoken(plan), groups, wide_groups, strict=True):
        if seg.kind == "checkpoint":
            assert wider[wide[-1]][1] == default[group[-1]][1] - 2000
            checked += 1
        else:
            assert wider[wide[-1]][1] == default[group[-1]][1]
    assert checked >= 2


def _plan_with(text: str, duration: float, kind: str = "speech") -> Plan:
    segments = [
        Segment(index=0, start=0.0, duration=1.2, kind="cue", sound="start"),
        Segment(
            index=1,
            start=0.0,
            duration=duration,
            kind=kind,
            text=text,
            question="pain" if kind == "checkpoint" else None,
        ),
        Segment(index=2, start=0.0, duration=30.0, kind="hold", technique="S01", area="lower-back"),
        Segment(index=3, start=0.0, duration=3.0, kind="speech", text="The end."),
    ]
    return Plan(
        mode="self", stage="acute", minutes=3, max_pressure=2, conditions=[], segments=renumber(segments)
    )


def test_long_text_is_split_into_cues_timed_by_character_share():
    sentence = "Keep breathing slowly and let the shoulders drop away from the ears while you work"
    text = " ".join([sentence + "."] * 4)
    plan = _plan_with(text, 40.6)
    cues = parse_vtt(export.captions_vtt(plan))
    match_cues_to_segments(plan, cues)
    parts = cues[:-1]
    assert len(parts) >= 2
    assert parts[0][0] == 1200 and parts[-1][1] == 1200 + 40_000
    total_chars = sum(len(" ".join(lines)) for _, _, lines in parts)
    for start, end, lines in parts:
        assert 1 <= len(lines) <= 3
        share = len(" ".join(lines)) / total_chars
        assert end - start == pytest.approx(40_000 * share, abs=2)


def test_one_very_long_sentence_is_still_split_and_wrapped():
    text = " ".join(["word"] * 120) + "."
    cues = parse_vtt(export.captions_vtt(_plan_with(text, 60.0)))
    assert len(cues) > 2
    assert all(len(lines) <= 3 and all(len(line) <= 42 for line in lines) for _, _, lines in cues)


def test_markup_in_spoken_text_is_escaped_in_vtt():
    plan = _plan_with("Press <gently> & slowly --> then rest.", 6.0)
    vtt = export.captions_vtt(plan)
    assert "&lt;gently&gt; &amp; slowly --&gt;" in vtt
    assert parse_vtt(vtt)[0][2] == ["Press <gently> & slowly --> then rest."]
    assert "-->" not in export.captions_srt(plan).split("\n")[2]


@settings(max_examples=60, deadline=None)
@given(
    seconds=st.floats(allow_nan=True, allow_infinity=True),
    window=st.floats(min_value=0, max_value=100),
)
def test_any_speech_length_gives_ordered_cues_that_never_overlap(seconds, window):
    plan = PLANS["self-acute-15"]
    cues = export.caption_cues(plan, speech_seconds=lambda text: seconds, answer_window=window)
    srt = parse_srt(export.captions_srt(plan, speech_seconds=lambda text: seconds, answer_window=window))
    assert len(srt) == len(cues)
    by_index = {s.index: s for s in plan.segments}
    for a, b in zip(cues, cues[1:], strict=False):
        assert a.start_ms < a.end_ms <= b.start_ms
    for cue in cues:
        seg = by_index[cue.segment]
        assert cue.end_ms <= round((seg.start + seg.duration) * 1000)


def test_a_plan_with_nothing_spoken_gives_empty_captions():
    segments = renumber([Segment(index=0, start=0, duration=1.2, kind="cue", sound="start")])
    plan = Plan(mode="self", stage="acute", minutes=3, max_pressure=2, conditions=[], segments=segments)
    assert export.captions_vtt(plan) == "WEBVTT\n"
    assert export.captions_srt(plan) == ""


# --- the printable script -------------------------------------------------------------


VOID = {"meta", "br", "hr", "img", "link", "input", "col", "wbr"}


class StrictParser(HTMLParser):
    """Fails on tags that are closed out of order or never closed."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.text: list[str] = []
        self.tags: list[str] = []
        self.doctype = ""

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append(tag)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> does not close {self.stack[-1:]}")
        else:
            self.stack.pop()

    def handle_data(self, data) -> None:
        if self.stack and self.stack[-1] not in ("style", "title"):
            self.text.append(data)


def parse_html(text: str) -> StrictParser:
    parser = StrictParser()
    parser.feed(text)
    parser.close()
    assert parser.errors == []
    assert parser.stack == [], f"never closed: {parser.stack}"
    assert parser.doctype.lower() == "doctype html"
    return parser


def words(text: str) -> str:
    return " ".join(text.split())


def used_ids(plan: Plan) -> list[str]:
    return list(dict.fromkeys(s.technique for s in plan.segments if s.technique))


STOP_RULE_WORDS = (
    "shooting, electric or burning pain",
    "tingling or numbness down the leg that is new or stronger than usual",
    "further down the leg",
    f"pain of {domain.PAIN_STOP_AT} or more out of 10, or {domain.MCID} points above",
    "dizziness or feeling faint",
    "Never raise the pressure",
    "Leave that area alone",  # and carry on away from it: the fallback is never the area that stopped
    "slow, light strokes on the lower back",
    "end the session",
)


def test_html_is_a_well_formed_standalone_printable_page(plan):
    page = export.script_html(plan, LIB)
    parser = parse_html(page)
    assert parser.tags[:2] == ["html", "head"]
    assert "script" not in parser.tags and "link" not in parser.tags and "img" not in parser.tags
    # nothing fetched: the inline maps' SVG namespace and url(#id) fragments point inside the page
    local = re.sub(r"url\(#[\w-]+\)", "", page.replace('xmlns="http://www.w3.org/2000/svg"', ""))
    assert "@import" not in local and "url(" not in local and "http" not in local
    assert "@page" in page and "size: auto" in page and "margin: 15mm" in page
    assert re.search(r"tr\s*{[^}]*break-inside:\s*avoid", page)
    assert re.search(r"h1, h2, h3\s*{[^}]*break-after:\s*avoid", page)
    assert re.search(r"font-size:\s*1[12](\.\d)?pt", page)


def test_html_holds_the_safety_notice_scale_stop_rules_and_techniques(plan):
    page = export.script_html(plan, LIB)
    text = words(" ".join(parse_html(page).text))
    assert "not medical advice" in text
    assert "urgent medical help" in text
    assert '"stop" at any moment' in text
    assert "short while at best" in text and "exercise" in text and "not a cure" in text
    for sign in ("both legs", "bladder", "genitals", "sexual function", "foot that drags"):
        assert sign in text
    for level, felt in domain.PRESSURE_FELT.items():  # the scale in what the hands do and feel
        assert felt in text
        assert f"{level} {felt}" in text
    for rule in STOP_RULE_WORDS:
        assert rule in text
    for technique_id in used_ids(plan):
        assert f"{technique_id} {LIB.techniques[technique_id].name}" in text
    assert f"pressure at most {plan.max_pressure} of 5" in text
    assert plan.stage in text and f"{plan.minutes:g} minutes" in text


def test_technique_steps_are_worded_for_the_mode_with_placeholders_filled(plan):
    md = words(export.script_markdown(plan, LIB))
    page = export.script_html(plan, LIB)
    for doc in (md, page):
        assert "{pressure}" not in doc and "{side}" not in doc and "{other_side}" not in doc
    other_mode = "partner" if plan.mode == "self" else "self"
    for technique_id in used_ids(plan):
        technique = LIB.techniques[technique_id]
        position = next(s.position for s in plan.segments if s.technique == technique_id and s.position)
        for step in technique.steps:
            wording = step.text(plan.mode, position)  # (a position's own wording where it has one)
            assert wording is not None
            head = words(wording.split("{")[0])[:40]
            assert head in md, f"{technique_id}: {head!r}"
            theirs = step.for_mode(other_mode)
            their_head = words(theirs.split("{")[0])[:40] if theirs else ""
            if their_head and not head.startswith(their_head):
                assert their_head not in md, f"{technique_id}: {other_mode} wording in a {plan.mode} script"
        for source in technique.sources:
            assert f"{source}:" in md


def test_markdown_has_a_timetable_row_for_every_speech_segment(plan):
    md = export.script_markdown(plan, LIB)
    rows = [line for line in md.splitlines() if line.startswith("| ")]
    for seg in plan.segments:
        if seg.kind != "speech":
            continue
        prefix = f"| {clock(seg.start)} |"
        assert any(row.startswith(prefix) and words(seg.text) in row for row in rows), (
            f"no timetable row for segment {seg.index} at {clock(seg.start)}"
        )
    # each technique is named once, on its first row, not repeated on every row
    for technique_id in used_ids(plan):
        name = f"{technique_id} {LIB.techniques[technique_id].name}"
        assert sum(name in row for row in rows) == 1, name
    for seg in plan.segments:
        if seg.kind == "checkpoint":
            assert any(row.startswith(f"| {clock(seg.start)} |") and "Ask:" in row for row in rows)


def test_markdown_has_the_same_safety_content(plan):
    md = words(export.script_markdown(plan, LIB))
    for rule in STOP_RULE_WORDS:
        assert rule in md
    for level, felt in domain.PRESSURE_FELT.items():
        assert f"| {level} | {felt} |" in md
    assert md.startswith("# ")
    assert "not medical advice" in md


def test_markup_in_a_technique_name_is_escaped():
    name = "A <b> & c"
    # names are not spoken (titles are not read out as sentences): the markup goes into a step too
    original = LIB.techniques["S01"]
    step = original.steps[0].model_copy(update={"self_": f"{name}.", "at": {}})
    tampered = original.model_copy(update={"name": name, "steps": [step, *original.steps[1:]]})
    lib = Library(techniques={**LIB.techniques, "S01": tampered})
    plan = build(REQUESTS["self-acute-15"], lib)
    assert "S01" in used_ids(plan)

    page = export.script_html(plan, lib)
    assert "<b>" not in page
    assert "A &lt;b&gt; &amp; c" in page
    parser = parse_html(page)
    assert "b" not in parser.tags
    assert f"S01 {name}" in words(" ".join(parser.text))

    md = export.script_markdown(plan, lib)
    assert "<b>" not in md
    assert r"A \<b\> & c" in md

    vtt = export.captions_vtt(plan)
    assert "<b>" not in vtt
    assert any(name in " ".join(lines) for _, _, lines in parse_vtt(vtt))


def test_a_technique_missing_from_the_library_does_not_break_the_script():
    plan = PLANS["self-acute-15"]
    lib = Library(techniques={k: v for k, v in LIB.techniques.items() if k != "S01"})
    md = export.script_markdown(plan, lib)
    parse_html(export.script_html(plan, lib))
    assert "### S01" in md and "not in the library" in md


def test_exports_are_deterministic(plan):
    assert export.script_html(plan, LIB) == export.script_html(plan, LIB)
    assert export.captions_vtt(plan) == export.captions_vtt(plan)
