"""A plan as files people read: captions for the rendered audio, and a printable script.

Pure: a Plan (and the library) in, text out. The CLI decides where the text goes.
Captions exist so that the session can be followed without hearing it, and the
script so that it can be read through, with the safety rules, before anyone
lies down with their eyes closed.
"""

from __future__ import annotations

import html
import math
import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field

from voiceguide import domain, safety
from voiceguide.library import Library
from voiceguide.library.schema import Technique
from voiceguide.plan import Plan, Segment
from voiceguide.planner import ANSWER_WINDOW
from voiceguide.speechtime import PAUSE_AFTER_SPEECH
from voiceguide.timetable import clock

CAPTION_WIDTH = 42  # characters per line: the usual limit for readable subtitles
CAPTION_LINES = 3
QUESTION_PREFIX = "Question: "

SpeechSeconds = Callable[[str], float]


# --- captions -------------------------------------------------------------------


@dataclass(frozen=True)
class Cue:
    """One caption on screen: whole milliseconds, so rounding can never make cues overlap."""

    start_ms: int
    end_ms: int
    lines: tuple[str, ...]
    segment: int  # index of the plan segment it belongs to

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def caption_cues(
    plan: Plan,
    speech_seconds: SpeechSeconds | None = None,
    answer_window: float = ANSWER_WINDOW,
    *,
    width: int = CAPTION_WIDTH,
    max_lines: int = CAPTION_LINES,
) -> list[Cue]:
    """The cues for every spoken segment, in order, none overlapping the next segment.

    A cue runs while the words are being said, not through the pause or the
    answer window after them; `speech_seconds` gives the real clip length when
    the audio layer knows it, otherwise it is taken from the segment's length.
    """
    cues: list[Cue] = []
    segments = plan.segments
    for position, seg in enumerate(segments):
        if seg.kind not in ("speech", "checkpoint") or not (seg.text and seg.text.strip()):
            continue
        start_ms = _ms(seg.start)
        if position + 1 < len(segments):
            limit_ms = _ms(segments[position + 1].start)
        else:
            limit_ms = _ms(seg.start + seg.duration)
        spoken = min(_spoken_seconds(seg, speech_seconds, answer_window), (limit_ms - start_ms) / 1000)
        end_ms = max(start_ms, start_ms + _ms(spoken))
        if end_ms == start_ms and limit_ms > start_ms:
            end_ms = start_ms + 1  # a cue must last; 1 ms still fits before the next segment
        text = " ".join(seg.text.split())
        if seg.kind == "checkpoint":
            text = QUESTION_PREFIX + text
        chunks = _chunks(text, width, max_lines)
        if end_ms - start_ms < len(chunks):  # no time to split: show it all at once
            chunks = [[line for chunk in chunks for line in chunk]]
        cues.extend(_share_time(chunks, start_ms, end_ms, seg.index))
    return cues


def captions_vtt(
    plan: Plan, speech_seconds: SpeechSeconds | None = None, answer_window: float = ANSWER_WINDOW
) -> str:
    """WebVTT captions, for browsers and most players (text escaped as WebVTT requires)."""
    blocks = ["WEBVTT"]
    for cue in caption_cues(plan, speech_seconds, answer_window):
        timing = f"{_timestamp(cue.start_ms, '.')} --> {_timestamp(cue.end_ms, '.')}"
        text = "\n".join(html.escape(line, quote=False) for line in cue.lines)
        blocks.append(f"{timing}\n{text}")
    return "\n\n".join(blocks) + "\n"


def captions_srt(
    plan: Plan, speech_seconds: SpeechSeconds | None = None, answer_window: float = ANSWER_WINDOW
) -> str:
    """SubRip captions, numbered from 1, for players and editors that want .srt."""
    blocks = []
    for number, cue in enumerate(caption_cues(plan, speech_seconds, answer_window), start=1):
        timing = f"{_timestamp(cue.start_ms, ',')} --> {_timestamp(cue.end_ms, ',')}"
        text = "\n".join(line.replace("-->", "->") for line in cue.lines)
        blocks.append(f"{number}\n{timing}\n{text}")
    return "\n\n".join(blocks) + "\n" if blocks else ""


def _ms(seconds: float) -> int:
    return int(round(seconds * 1000)) if math.isfinite(seconds) else 0


def _timestamp(ms: int, separator: str) -> str:
    ms = max(ms, 0)
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{separator}{millis:03d}"


def _spoken_seconds(seg: Segment, speech_seconds: SpeechSeconds | None, answer_window: float) -> float:
    """How long the words take; a useless answer falls back to the whole segment."""
    if speech_seconds is not None:
        seconds = speech_seconds(seg.text or "")
    elif seg.kind == "checkpoint":
        seconds = seg.duration - answer_window
    else:
        seconds = seg.duration - PAUSE_AFTER_SPEECH
    if not isinstance(seconds, int | float) or not math.isfinite(seconds) or seconds <= 0:
        return seg.duration
    return float(seconds)


def _wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width=width, break_on_hyphens=False) or [text]


def _chunks(text: str, width: int, max_lines: int) -> list[list[str]]:
    """Whole sentences per cue where they fit; a sentence too long for one cue is split evenly."""
    chunks: list[list[str]] = []
    current = ""
    for sentence in re.split(r"(?<=[.!?])\s+", text.strip()):
        candidate = f"{current} {sentence}".strip()
        if len(_wrap(candidate, width)) <= max_lines:
            current = candidate
            continue
        if current:
            chunks.append(_wrap(current, width))
        lines = _wrap(sentence, width)
        if len(lines) > max_lines:
            pieces = math.ceil(len(lines) / max_lines)
            size = math.ceil(len(lines) / pieces)
            groups = [lines[i : i + size] for i in range(0, len(lines), size)]
            chunks.extend(groups[:-1])
            lines = groups[-1]
        current = " ".join(lines)
    if current:
        chunks.append(_wrap(current, width))
    return chunks


def _share_time(chunks: list[list[str]], start_ms: int, end_ms: int, segment: int) -> list[Cue]:
    """Each part of a long caption stays up for its share of the characters."""
    sizes = [max(1, len(" ".join(lines))) for lines in chunks]
    total = sum(sizes)
    cues = []
    done = 0
    begin = start_ms
    for number, (lines, size) in enumerate(zip(chunks, sizes, strict=True), start=1):
        done += size
        finish = start_ms + round((end_ms - start_ms) * done / total)
        if end_ms - start_ms >= len(chunks):  # every part gets at least 1 ms, the last ends on time
            finish = max(begin + 1, min(finish, end_ms - (len(chunks) - number)))
        cues.append(Cue(begin, finish, tuple(lines), segment))
        begin = finish
    return cues


# --- the printable script: a small document model, written out as Markdown or HTML ---


@dataclass
class Heading:
    level: int
    text: str


@dataclass
class Para:
    text: str
    lead: str = ""  # a few words in bold before the text


@dataclass
class Items:
    items: list[str]
    numbered: bool = False
    maps: list[str | None] = field(default_factory=list)  # inline SVG beside each item (HTML only)


@dataclass
class Row:
    cells: list[str]
    kind: str = ""


@dataclass
class Table:
    headers: list[str]
    rows: list[Row]


@dataclass
class Box:
    """A framed block that must not be missed: the safety notice."""

    blocks: list = field(default_factory=list)


MODE_TITLE = {"self": "Self-massage session", "partner": "Partner massage session"}

EMERGENCY_SIGNS = {
    "saddle-numbness": "numbness or tingling between the legs, around the bottom or the genitals",
    "bladder-bowel": "new difficulty passing urine, or losing control of the bladder or bowels",
    "both-legs": "sciatica in both legs at once",
    "leg-weakness": "weakness or numbness in a leg that is severe or quickly getting worse, or a foot "
    "that drags when walking",
    "sexual-dysfunction": "a new problem with sexual function",
}
CLINICIAN_SIGNS = {
    "fever": "a fever, or feeling unwell, along with the back pain",
    "cancer": "cancer, now or in the past",
    "weight-loss": "weight loss with no clear reason",
    "trauma": "pain that began after a fall, an accident or another injury",
    "steroids": "steroid tablets taken for months",
    "night-pain": "constant pain that is worse at night or at rest",
    "immunosuppression": "a weakened immune system, or injecting drugs",
}
FIRST_EPISODE = "a first episode of back pain when under 20 or over 50"
DVT_SIGN = "a possible blood clot in a leg: a calf that is painful, swollen and warm (no massage at all)"
STOP_SIGNS = (
    "shooting, electric or burning pain",
    "tingling or numbness down the leg that is new or stronger than usual",
    "pain that moves further down the leg",
    # the numbers are the stop rule's own constants (adapt applies them during play)
    f"pain of {domain.PAIN_STOP_AT} or more out of 10, "
    f"or {domain.MCID} points above the rating given at the start",
)
GENTLE_RULE = (
    f"If the pain is {domain.GENTLE_FROM} or more at the start, keep the whole session gentle: pressure "
    f"at most {domain.GENTLE_CAP}, slow strokes and rocking, no deep buttock work. If pain stays that "
    "high, see a clinician."
)
# What stands in for the stop word beside a recording, which cannot hear it (by partner: bool).
STOPPING_RECORDED = {
    False: "The recording cannot hear you. On any of the stop signs below, stop at once, and pause it.",
    True: 'The recording cannot hear either of you. When the person receiving says "stop", or shows '
    "any of the stop signs below, lift your hands at once, and pause it.",
}
SOURCE_TITLES = {
    "cochrane-2015": "Furlan AD et al. Massage for low-back pain. "
    "Cochrane Database Syst Rev 2015;(9):CD001929.",
    "nice-ng59": "NICE guideline NG59: Low back pain and sciatica in over 16s (2016, updated 2020).",
    "acp-2017": "Qaseem A et al. Noninvasive treatments for acute, subacute, and chronic low back pain. "
    "Ann Intern Med 2017;166:514-530.",
    "nhs-sciatica": "NHS: Sciatica (symptoms, and when to get urgent help).",
    "nhs-ces": "NHS: Cauda equina syndrome.",
    "nrs-mcid": "Farrar JT et al. Clinical importance of changes in chronic pain intensity measured on "
    "an 11-point numerical pain rating scale. Pain 2001;94:149-158.",
    "seed": "How to Use Massage Techniques for Sciatica Pain Relief (the article this guide grew from).",
}
SAFETY_SOURCES = ("nhs-ces", "nhs-sciatica", "nice-ng59", "cochrane-2015", "nrs-mcid")
PRESSURE_FILLER = "Use the pressure given in the timetable."


def script_markdown(plan: Plan, library: Library, recording: bool = False) -> str:
    """The script as Markdown: readable as plain text, and tidy when rendered. recording: it goes
    with an audio file, which cannot hear "stop" or an answer."""
    return _to_markdown(_script(plan, library, recording))


def script_html(plan: Plan, library: Library, recording: bool = False) -> str:
    """The script as one standalone HTML page that prints cleanly on A4 or Letter."""
    return _to_html(_title(plan), _script(plan, library, recording))


def _title(plan: Plan) -> str:
    return (
        f"{MODE_TITLE.get(plan.mode, 'Massage session')}: {plan.stage} stage, {plan.minutes:g} minutes, "
        f"pressure at most {plan.max_pressure} of {domain.PRESSURE_MAX}"
    )


def _script(plan: Plan, library: Library, recording: bool) -> list:
    partner = plan.mode == "partner"
    blocks: list = [Heading(1, _title(plan))]
    length = clock(plan.total_seconds)
    blocks.append(
        Para(
            f"Read this through before the session. The recording lasts {length}. Pause it whenever "
            "you need more time."
            if recording
            else f"Read this through before the session. It lasts {length}; waiting for answers can "
            "make the session a little longer."
        )
    )
    if plan.conditions:
        blocks.append(Para(", ".join(plan.conditions), lead="Adjusted for:"))
    for note in plan.notes:
        blocks.append(Para(note, lead="Note:"))
    blocks.append(_safety_notice(partner, recording))
    blocks += _scales(plan)
    blocks += _stop_rules(partner)
    blocks += _timetable(plan, library)
    blocks += _techniques(plan, library)
    blocks.append(Heading(2, "Sources for the safety advice"))
    blocks.append(Items([_source(key) for key in SAFETY_SOURCES]))
    return blocks


def _safety_notice(partner: bool, recording: bool) -> Box:
    emergency = [EMERGENCY_SIGNS.get(q.id, q.text) for q in safety.QUESTIONS if q.group == "A"]
    clinician = [CLINICIAN_SIGNS.get(q.id, q.text) for q in safety.QUESTIONS if q.group == "B"]
    has = "the person receiving has" if partner else "you have"
    whose = "the" if partner else "your"
    stopper = "The person receiving (or the one giving) can say" if partner else "Say"
    return Box(
        [
            Heading(2, "Safety first"),
            Para(
                "This script is not medical advice and does not replace a clinician. See a doctor or "
                f"physiotherapist about {whose} sciatica before the first session, and again if anything "
                "changes.",
                lead="Not medical advice.",
            ),
            Para(f"Get urgent medical help now, and do not start, if {has} any of these:"),
            Items(emergency),
            Para(f"See a clinician before any massage if {has} any of these:"),
            Items(clinician + [FIRST_EPISODE, DVT_SIGN]),
            Para(STOPPING_RECORDED[partner], lead="Stopping.")
            if recording
            else Para(
                f'{stopper} "stop" at any moment, not only when asked, and everything stops at once.',
                lead="The stop word.",
            ),
            Para(
                "Massage can ease sciatica for a short while at best. It works best as part of a plan "
                "with regular gentle exercise and staying active, which is why this session includes "
                "some movement. It is not a cure, and it does not promise lasting relief.",
                lead="What to expect.",
            ),
        ]
    )


def _scales(plan: Plan) -> list:
    rows = []
    for level in range(domain.PRESSURE_MIN, domain.PRESSURE_MAX + 1):
        felt = domain.PRESSURE_FELT.get(level, "")
        use = "yes" if level <= plan.max_pressure else "no, above this session's limit"
        rows.append(Row([str(level), felt, use]))
    return [
        Heading(2, "The pressure scale"),
        Para(
            f"Pressure is agreed on a scale of {domain.PRESSURE_MIN} to {domain.PRESSURE_MAX}, in what the "
            "hands do and what is felt, and never goes above the limit for this session."
        ),
        Table(["Pressure", "What it feels like", "Used today"], rows),
        Para(
            f"Pain is rated from 0 (no pain) to 10 (the worst imaginable). A change of {domain.MCID} points "
            "is one that matters.",
        ),
        Para(
            "A good hurt is a dull, spreading ache that fades while the pressure is held. Sharp, "
            "shooting, burning or electric pain, or tingling that is new or stronger than usual, is a bad "
            "pain: follow the stop rules.",
            lead="Good hurt or bad pain.",
        ),
    ]


def _stop_rules(partner: bool) -> list:
    hands = "lift your hands" if partner else "come off the ball, roller or your own hands"
    ask = "ask your partner what they felt" if partner else "notice what you felt"
    return [
        Heading(2, "Stop rules"),
        Para("Stop the technique at once if any of these happen:"),
        Items(list(STOP_SIGNS)),
        Para("Then:"),
        Items(
            [
                f"Ease off straight away: {hands}, and {ask}.",
                "Leave that area alone for the rest of the session. Carry on away from it (after buttock "
                "or deep buttock work: slow, light strokes on the lower back), or end the session.",
                "Never raise the pressure again after a stop.",
                "End the whole session on dizziness or feeling faint, on any of the urgent signs above, "
                f"or once {domain.STOPS_THAT_END} techniques have had to stop.",
                GENTLE_RULE,
                "If a question gets no answer, keep the pressure as it is; never raise it.",
                "If the signs do not settle, or they come back, see a clinician before the next session.",
            ],
            numbered=True,
        ),
    ]


def _pressure_cell(pressure: int | None) -> str:
    if pressure is None:
        return ""
    words = domain.PRESSURE_WORDS.get(pressure, "")
    return f"{pressure} ({words})" if words else str(pressure)


def _technique_cell(technique_id: str | None, library: Library) -> str:
    if not technique_id:
        return ""
    technique = library.techniques.get(technique_id)
    return f"{technique_id} {technique.name}" if technique else technique_id


def _timetable(plan: Plan, library: Library) -> list:
    """One row per thing said; a hold is folded into the row before it ("keep going 0:34"), so the
    script stays short enough to print."""
    rows: list[Row] = []
    shown: str | None = None  # the technique is named on its first row only
    for seg in plan.segments:
        if seg.kind == "cue":
            continue
        if seg.kind == "hold":
            side = f", {seg.side} side" if seg.side else ""
            doing = "keep going" if seg.technique else "take your time"
            if rows and rows[-1].kind != "ask":
                rows[-1].cells[-1] += f" Then {doing} for {clock(seg.duration)}{side}."
                continue
            what, kind = f"{doing.capitalize()} for {clock(seg.duration)}{side}.", "hold"
        elif seg.kind == "checkpoint":
            what, kind = f"Ask: {seg.text or ''}", "ask"
        else:
            what, kind = seg.text or "", "speech"
        technique = _technique_cell(seg.technique, library) if seg.technique != shown else ""
        shown = seg.technique or shown
        rows.append(
            Row(
                [
                    clock(seg.start),
                    domain.AREA_WORDS.get(seg.area or "", seg.area or ""),
                    technique,
                    _pressure_cell(seg.pressure),
                    what,
                ],
                kind,
            )
        )
    return [
        Heading(2, "Timetable"),
        Para(
            "Times are from the start of the recording, without pauses for answers. Pressure is the "
            "planned starting point; the answers given during the session may lower it."
        ),
        Table(["Start", "Area", "Technique", "Pressure", "What to do"], rows),
    ]


def _techniques(plan: Plan, library: Library) -> list:
    used = list(dict.fromkeys(s.technique for s in plan.segments if s.technique))
    if not used:
        return []
    blocks: list = [Heading(2, "The techniques")]
    for technique_id in used:
        technique = library.techniques.get(technique_id)
        if technique is None:
            blocks.append(Heading(3, technique_id))
            blocks.append(Para("This technique is not in the library any more; follow the timetable."))
            continue
        blocks += _technique(technique, plan)
    return blocks


def _technique(technique: Technique, plan: Plan) -> list:
    segments = [s for s in plan.segments if s.technique == technique.id]
    sides = list(dict.fromkeys(s.side for s in segments if s.side))
    pressures = sorted({s.pressure for s in segments if s.pressure is not None})
    position = next((s.position for s in segments if s.position), None)
    where = (
        domain.POSITION_WORDS.get(position, position)
        if position
        else " or ".join(domain.POSITION_WORDS.get(p, p) for p in technique.positions)
    )
    facts = [
        "works the " + ", ".join(domain.AREA_WORDS.get(a, a) for a in technique.areas),
        "position: " + where,
    ]
    if technique.equipment:
        facts.append("you need: " + ", ".join(technique.equipment))
    if pressures:
        low, high = pressures[0], pressures[-1]
        levels = f"{low}" if low == high else f"{low} to {high}"
        facts.append(f"pressure today {levels} of {domain.PRESSURE_MAX}")
    if technique.per_side:
        facts.append("both sides, the same time on each")
    side = sides[0] if sides else None
    other = domain.other_side(side)
    steps = [
        _step_text(technique, step, number, plan.mode, position, segments, side, other)
        for number, step in enumerate(technique.steps)
    ]
    blocks: list = [
        Heading(3, f"{technique.id} {technique.name}"),
        Para(technique.summary),
        Para("; ".join(facts) + ".", lead="In short:"),
    ]
    setup = technique.setup.get(position) if position else None  # type: ignore[call-overload]
    if setup is not None and setup.for_mode(plan.mode):
        blocks.append(Para(setup.for_mode(plan.mode) or "", lead="Getting into position:"))
    blocks.append(Items(steps, numbered=True, maps=_step_maps(technique, position, side)))
    if technique.per_side and other:
        blocks.append(Para(f"Then switch sides and repeat every step on the {other} side."))
    blocks.append(Para("", lead="Sources:"))
    blocks.append(Items([_source(key) for key in technique.sources]))
    return blocks


def _step_maps(technique: Technique, position: str | None, side: str | None) -> list[str | None]:
    """Each step's body map as inline SVG (ids unique on the page), or None where it has none."""
    from voiceguide.maps import render

    position = position or technique.positions[0]
    return [
        render(s.map, position, side, prefix=f"map-{technique.id}-{i}") if s.map else None
        for i, s in enumerate(technique.steps, 1)
    ]


def _step_text(
    technique: Technique,
    step,
    number: int,
    mode: str,
    position: str | None,
    segments: list[Segment],
    side: str | None,
    other: str | None,
) -> str:
    """One step as printed: the wording for today's position, the pressure in felt terms."""
    other_mode = "partner" if mode == "self" else "self"
    text = step.text(mode, position) or step.text(other_mode, position) or ""
    return _fill(text, _step_pressure(segments, number, mode), side, other)


def _step_pressure(segments: list[Segment], step: int, mode: str = "partner") -> str:
    """The one planned pressure for a step, in the words that are spoken, or a pointer to the timetable."""
    found = {s.pressure for s in segments if s.step == step and s.kind == "speech" and s.pressure}
    said = domain.PRESSURE_SAY.get(mode, domain.PRESSURE_SAY["partner"])
    if len(found) == 1:
        return said.get(found.pop(), PRESSURE_FILLER)
    return PRESSURE_FILLER


def _fill(text: str, pressure: str, side: str | None, other: str | None) -> str:
    values = {"pressure": pressure, "side": side or "one", "other_side": other or "other"}
    return re.sub(r"{(pressure|side|other_side)}", lambda m: values[m.group(1)], text)


def _source(key: str) -> str:
    title = SOURCE_TITLES.get(key)
    return f"{key}: {title}" if title else key


# --- Markdown ---------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")
_MD_ENTITY = re.compile(r"&(?=#?\w+;)")


def _md(text: str) -> str:
    """Escape what Markdown would read as markup, so names and steps print as written."""
    text = " ".join(text.split())
    return _MD_ENTITY.sub(r"\\&", _MD_SPECIAL.sub(r"\\\1", text))


def _to_markdown(blocks: list) -> str:
    return "\n\n".join(_md_block(b) for b in blocks).rstrip() + "\n"


def _md_block(block: object) -> str:
    if isinstance(block, Heading):
        return "#" * block.level + " " + _md(block.text)
    if isinstance(block, Para):
        lead = f"**{_md(block.lead)}**" if block.lead else ""
        return " ".join(part for part in (lead, _md(block.text)) if part)
    if isinstance(block, Items):
        return "\n".join(
            (f"{n}. " if block.numbered else "- ") + _md(item) for n, item in enumerate(block.items, 1)
        )
    if isinstance(block, Table):
        lines = ["| " + " | ".join(_md(h) for h in block.headers) + " |"]
        lines.append("|" + "|".join("---" for _ in block.headers) + "|")
        lines += ["| " + " | ".join(_md(c) for c in row.cells) + " |" for row in block.rows]
        return "\n".join(lines)
    if isinstance(block, Box):
        inner = "\n\n".join(_md_block(b) for b in block.blocks)
        return "\n".join(f"> {line}" if line else ">" for line in inner.split("\n"))
    raise TypeError(f"unknown block {block!r}")


# --- HTML -------------------------------------------------------------------------

CSS = """\
@page { size: auto; margin: 15mm; }
html { font-family: "Helvetica Neue", Helvetica, Arial, "Liberation Sans", sans-serif;
       font-size: 11.5pt; line-height: 1.4; color: #000; background: #fff; }
body { margin: 0 auto; max-width: 48em; padding: 1em; }
h1 { font-size: 17pt; margin: 0 0 0.4em; }
h2 { font-size: 14pt; margin: 1.3em 0 0.4em; border-bottom: 1pt solid #000; }
h3 { font-size: 12pt; margin: 1.1em 0 0.3em; }
h1, h2, h3 { break-after: avoid; page-break-after: avoid; }
p { margin: 0.4em 0; orphans: 3; widows: 3; }
li { margin: 0.15em 0; break-inside: avoid; page-break-inside: avoid; }
table { width: 100%; border-collapse: collapse; margin: 0.5em 0; font-size: 11pt; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th, td { border: 0.5pt solid #666; padding: 2pt 5pt; text-align: left; vertical-align: top; }
th { background: #e8e8e8; }
td:first-child { white-space: nowrap; font-variant-numeric: tabular-nums; }
tr.ask td { font-weight: bold; }
tr.hold td { font-style: italic; }
.notice { border: 2pt solid #000; padding: 0.2em 1em 0.6em; margin: 1em 0; }
.notice h2 { border-bottom: none; margin-top: 0.6em; }
.mapped { display: flex; gap: 1em; align-items: flex-start; }
.mapped > span { flex: 1; }
.mapped > figure { margin: 0 0 0.6em; flex: 0 0 auto; }
.mapped svg { width: 46mm; height: auto; display: block; }
@media print { body { max-width: none; padding: 0; } }
"""


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _to_html(title: str, blocks: list) -> str:
    body = "\n".join(_html_block(b) for b in blocks)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>\n{CSS}</style>\n</head>\n"
        f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def _html_block(block: object) -> str:
    if isinstance(block, Heading):
        return f"<h{block.level}>{_e(block.text)}</h{block.level}>"
    if isinstance(block, Para):
        lead = f"<strong>{_e(block.lead)}</strong>" if block.lead else ""
        return "<p>" + " ".join(part for part in (lead, _e(block.text)) if part) + "</p>"
    if isinstance(block, Items):
        tag = "ol" if block.numbered else "ul"
        maps = block.maps or [None] * len(block.items)
        items = "".join(
            f'<li><div class="mapped"><span>{_e(item)}</span><figure>{svg}</figure></div></li>'
            if svg
            else f"<li>{_e(item)}</li>"
            for item, svg in zip(block.items, maps, strict=True)
        )
        return f"<{tag}>{items}</{tag}>"
    if isinstance(block, Table):
        head = "".join(f'<th scope="col">{_e(h)}</th>' for h in block.headers)
        rows = []
        for row in block.rows:
            cls = f' class="{_e(row.kind)}"' if row.kind else ""
            rows.append(f"<tr{cls}>" + "".join(f"<td>{_e(c)}</td>" for c in row.cells) + "</tr>")
        body = "\n".join(rows)
        return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"
    if isinstance(block, Box):
        inner = "\n".join(_html_block(b) for b in block.blocks)
        return f'<section class="notice">\n{inner}\n</section>'
    raise TypeError(f"unknown block {block!r}")


# --- the one-page card (render --card) ------------------------------------------------------------

ANSWERS = (
    ("I am ready", '"ready"', "Enter"),
    ("Pain now, 0 to 10", '"five", "seven" ...', "0-9, t for ten"),
    ("Which side is worse", '"left" or "right"', "l or r"),
    ("Pressure", '"more", "less", "good"', "+  -  g or Enter"),
    ("Symptom down the leg", '"tingling", "zap"', "!"),
    ("Pause, go on, repeat", '"pause", "continue", "repeat"', "space, c, r"),
    ("Stop everything", '"stop"', "s (always works)"),
)
# Beside a recording, each question is said as what to do (by partner: bool).
RECORDING_ANSWERS = {
    False: "Each question is said as what to do: notice your pain, or ease off if the pressure is too "
    "much. Pause the recording whenever you need more time: to get ready, to change position, or "
    "to rest.",
    True: "Each question is said as what to do: ask your partner for a pain number, or ease off if "
    "the pressure is too much. Pause the recording whenever either of you needs more time: to get "
    "ready, to change position, or to rest.",
}
CARD_CSS = """
@page { size: A4; margin: 11mm; }
body { font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; font-size: 9.6pt; line-height: 1.3;
  color: #000; margin: 0; }
h1 { font-size: 14pt; margin: 0 0 0.2em; }
h2 { font-size: 10.5pt; margin: 0.6em 0 0.2em; border-bottom: 1pt solid #444; }
.grid { display: grid; grid-template-columns: 1fr 1fr; column-gap: 8mm; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 0.5pt solid #777; padding: 1.5pt 4pt; text-align: left; vertical-align: top; }
th { background: #e8e8e8; }
ul { margin: 0.1em 0; padding-left: 1.2em; }
.stop { border: 2pt solid #000; padding: 2pt 6pt; margin-top: 0.4em; }
p { margin: 0.2em 0; }
"""


def card_html(plan: Plan, library: Library, recording: bool = False) -> str:
    """One printable A4 page to keep beside the mat: pressure in felt terms, the stop word and the
    signs, the answers by voice and key (beside a recording: what to do instead, since it cannot
    hear them), and the session's outline."""
    partner = plan.mode == "partner"
    title = f"{MODE_TITLE.get(plan.mode, 'Massage session')}: {plan.stage}, {plan.minutes:g} minutes"
    scale = "".join(
        f"<tr><td>{level}</td><td>{_e(domain.PRESSURE_FELT[level])}</td></tr>"
        for level in range(domain.PRESSURE_MIN, plan.max_pressure + 1)
    )
    signs = "".join(f"<li>{_e(sign)}</li>" for sign in STOP_SIGNS)
    urgent = "".join(
        f"<li>{_e(EMERGENCY_SIGNS.get(q.id, q.text))}</li>" for q in safety.QUESTIONS if q.group == "A"
    )
    answers = "".join(
        f"<tr><td>{_e(what)}</td><td>{_e(say)}</td><td>{_e(key)}</td></tr>" for what, say, key in ANSWERS
    )
    outline = "".join(
        f"<tr><td>{clock(start)}</td><td>{_e(name)}</td><td>{_e(where)}</td></tr>"
        for start, name, where in _outline(plan, library)
    )
    who = "the person receiving" if partner else "you"
    stopper = "Either of you can say" if partner else "Say"
    if recording:
        stop_word = "Stopping: this recording cannot hear you"
        stop_how = (
            "Lift your hands at once, and pause the recording, when the person receiving says "
            "&quot;stop&quot;, or on:"
            if partner
            else "Stop at once, and pause the recording, on:"
        )
        how_to_answer = f"""<h2>While it plays</h2>
<p>{_e(RECORDING_ANSWERS[partner])}</p>"""
    else:
        stop_word = 'The stop word: "stop" (or the s key)'
        stop_how = f"{stopper} it at any moment: hands off at once. Stop the part at once on:"
        how_to_answer = f"""<h2>Answers, by voice or key</h2>
<table><thead><tr><th>When</th><th>Say</th><th>Or press</th></tr></thead><tbody>{answers}</tbody></table>"""
    body = f"""<h1>{_e(title)}</h1>
<p>Pressure at most {plan.max_pressure} of {domain.PRESSURE_MAX}. Keep this card beside the mat.</p>
<div class="grid">
<section>
<h2>Pressure, in what you feel</h2>
<table><thead><tr><th>Level</th><th>What it feels like</th></tr></thead><tbody>{scale}</tbody></table>
<p>A good hurt is a dull, spreading ache that eases while you hold. Sharp, shooting, burning or
electric pain is a bad pain.</p>
<div class="stop">
<h2>{_e(stop_word)}</h2>
<p>{stop_how}</p>
<ul>{signs}</ul>
<p>Get urgent help, and do not go on, if {who} {"has" if partner else "have"}:</p>
<ul>{urgent}</ul>
</div>
</section>
<section>
{how_to_answer}
<h2>The session</h2>
<table><thead><tr><th>From</th><th>What</th><th>Position</th></tr></thead><tbody>{outline}</tbody></table>
<p>Afterwards: get up by rolling onto the side first, walk a little. Some soreness the next day is
normal; if pain spreads down the leg, numbness is new, or pain is much worse, call a clinician.</p>
</section>
</div>"""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{_e(title)}</title>\n<style>\n{CARD_CSS}</style>\n</head>\n"
        f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def _outline(plan: Plan, library: Library) -> list[tuple[float, str, str]]:
    """(start, what, position) for each part of the session, in order: one row per technique."""
    rows: list[tuple[float, str, str]] = []
    seen: set[str] = set()
    for seg in plan.segments:
        if not seg.technique or seg.technique in seen:
            continue
        seen.add(seg.technique)
        technique = library.techniques.get(seg.technique)
        name = technique.name if technique else seg.technique
        where = domain.POSITION_WORDS.get(seg.position or "", "")
        rows.append((seg.start, name, where))
    closing = next(
        (s for s in reversed(plan.segments) if s.kind == "speech" and s.text and "cool down" in s.text), None
    )
    if closing is not None:
        rows.append((closing.start, "Cool-down, getting up, a short walk", ""))
    return rows
