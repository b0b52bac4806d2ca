"""The plan as a timetable a person can read at a glance."""

from __future__ import annotations

from voiceguide.plan import Plan


def clock(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60:d}:{seconds % 60:02d}"


def timetable(plan: Plan, width: int = 60) -> str:
    lines = [
        f"{plan.mode.capitalize()} session, {plan.stage} stage, {plan.minutes:g} minutes "
        f"(plays {clock(plan.total_seconds)}), pressure at most {plan.max_pressure} of 5",
    ]
    if plan.conditions:
        lines.append("Adjusted for: " + ", ".join(plan.conditions))
    lines.append("")
    lines.append(f"{'start':>6}  {'area':<11} {'tech':<5} {'pr':<2}  what")
    for seg in plan.segments:
        area = seg.area or ""
        tech = seg.technique or ""
        pressure = str(seg.pressure) if seg.pressure else ""
        if seg.kind == "cue":
            what = f"({seg.sound} tone)"
        elif seg.kind == "hold":
            side = f", {seg.side} side" if seg.side else ""
            what = f"  ... keep working for {clock(seg.duration)}{side}"
        elif seg.kind == "checkpoint":
            what = f"? {seg.text}"
        else:
            what = seg.text or ""
        if len(what) > width:
            what = what[: width - 3] + "..."
        lines.append(f"{clock(seg.start):>6}  {area:<11} {tech:<5} {pressure:<2}  {what}")
    for note in plan.notes:
        lines.append(f"Note: {note}")
    return "\n".join(lines)
