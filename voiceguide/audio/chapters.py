"""Chapters in an MP3: ID3v2.3 CHAP frames (one per technique) and a CTOC table of contents, which
podcast players show so a listener can skip to a step.

Written by hand (the frames are small and fixed; see id3.org's "ID3v2 Chapter Frame Addendum"):
a tag is put in front of the MP3 data that lameenc wrote.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from voiceguide.errors import InvalidInput
from voiceguide.plan import Segment

NO_OFFSET = 0xFFFFFFFF  # "use the times, not byte offsets"


@dataclass(frozen=True)
class Chapter:
    title: str
    start: float  # seconds
    end: float


def technique_chapters(
    segments: Sequence[Segment], total: float, name: Callable[[str], str]
) -> list[Chapter]:
    """One chapter per run of a technique's segments; what comes before the first is "Welcome",
    and segments of no technique belong to the chapter they are in."""
    marks: list[tuple[str, float]] = []
    current = None
    for seg in segments:
        if seg.technique and seg.technique != current:
            current = seg.technique
            marks.append((name(seg.technique), seg.start))
    if not marks or marks[0][1] > 0:
        marks.insert(0, ("Welcome", 0.0))
    ends = [start for _, start in marks[1:]] + [total]
    pairs = zip(marks, ends, strict=True)
    return [Chapter(title, start, end) for (title, start), end in pairs if end > start]


def _frame(frame_id: bytes, body: bytes) -> bytes:
    return frame_id + len(body).to_bytes(4, "big") + b"\0\0" + body


def _title(text: str) -> bytes:
    return _frame(b"TIT2", b"\x01" + "\ufeff".encode("utf-16-le") + text.encode("utf-16-le") + b"\0\0")


def id3_tag(chapters: Sequence[Chapter], title: str) -> bytes:
    """An ID3v2.3 tag: the title, a CTOC listing the chapters in order, and a CHAP for each."""
    ids = [f"ch{i}".encode("ascii") for i in range(len(chapters))]
    frames = [_title(title)]
    toc = b"toc\0" + b"\x03" + bytes([len(chapters)]) + b"".join(i + b"\0" for i in ids)
    frames.append(_frame(b"CTOC", toc + _title("Steps")))
    for element, ch in zip(ids, chapters, strict=True):
        times = b"".join(
            v.to_bytes(4, "big") for v in (round(ch.start * 1000), round(ch.end * 1000), NO_OFFSET, NO_OFFSET)
        )
        frames.append(_frame(b"CHAP", element + b"\0" + times + _title(ch.title)))
    body = b"".join(frames)
    size = len(body)
    syncsafe = bytes([(size >> 21) & 0x7F, (size >> 14) & 0x7F, (size >> 7) & 0x7F, size & 0x7F])
    return b"ID3\x03\x00\x00" + syncsafe + body


def add_chapters(mp3: Path, chapters: Sequence[Chapter], title: str) -> None:
    """Put the chapter tag in front of an MP3 file, whole or not at all."""
    if len(chapters) > 255:
        chapters = chapters[:255]  # a CTOC counts its entries in one byte
    part = mp3.with_name(mp3.name + ".part")
    try:
        data = mp3.read_bytes()
        part.write_bytes(id3_tag(chapters, title) + data)
        os.replace(part, mp3)
    except OSError as e:
        part.unlink(missing_ok=True)
        raise InvalidInput(f"Cannot write {mp3}: {e.strerror or e}.") from e
