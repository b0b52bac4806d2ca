"""`render -o OUT.mp3` puts a chapter per technique in the file: ID3 CHAP frames and a CTOC,
read back here with a small parser of the ID3v2.3 format (independent of the writer)."""

from __future__ import annotations

import json

from voiceguide import library


def read_id3(data: bytes) -> dict:
    """{"CTOC": (flags, children, title), "CHAP": [(id, start ms, end ms, title)], "TIT2": str}."""
    assert data[:3] == b"ID3" and data[3] == 3, data[:10]
    size = (data[6] << 21) | (data[7] << 14) | (data[8] << 7) | data[9]
    found: dict = {"CHAP": []}
    frames(data[10 : 10 + size], found)
    assert data[10 + size : 10 + size + 2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xe3"), "MP3 data follows"
    return found


def text(body: bytes) -> str:
    assert body[0] == 1  # UTF-16 with a byte-order mark
    return body[1:].decode("utf-16").rstrip("\0")


def frames(body: bytes, into: dict) -> None:
    pos = 0
    while pos + 10 <= len(body) and body[pos : pos + 4] != b"\0\0\0\0":
        frame_id, size = body[pos : pos + 4].decode("ascii"), int.from_bytes(body[pos + 4 : pos + 8], "big")
        content = body[pos + 10 : pos + 10 + size]
        if frame_id == "TIT2":
            into["TIT2"] = text(content)
        elif frame_id == "CHAP":
            end_id = content.index(b"\0")
            element = content[:end_id].decode("ascii")
            at = end_id + 1
            times = [int.from_bytes(content[at + 4 * i : at + 4 * i + 4], "big") for i in range(4)]
            sub: dict = {"CHAP": []}
            frames(content[end_id + 17 :], sub)
            into["CHAP"].append((element, times[0], times[1], sub["TIT2"], times[2:]))
        elif frame_id == "CTOC":
            end_id = content.index(b"\0")
            flags, count = content[end_id + 1], content[end_id + 2]
            rest = content[end_id + 3 :]
            children = []
            for _ in range(count):
                cut = rest.index(b"\0")
                children.append(rest[:cut].decode("ascii"))
                rest = rest[cut + 1 :]
            into["CTOC"] = (flags, children)
        pos += 10 + size


def test_mp3_has_a_chapter_per_technique(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("VOICEGUIDE_TTS", "espeak-ng")  # chapters do not depend on the voice: quick
    plan_file, out = tmp_path / "plan.json", tmp_path / "session.mp3"
    assert cli("plan", "--minutes", "10", "--mode", "partner", "-o", str(plan_file)).exit_code == 0
    done = cli("render", "--plan", str(plan_file), "-o", str(out))
    assert done.exit_code == 0, done.output
    tag = read_id3(out.read_bytes())
    segments = json.loads(plan_file.read_text())["segments"]
    runs = []
    for seg in segments:
        if seg.get("technique") and (not runs or runs[-1][0] != seg["technique"]):
            runs.append((seg["technique"], seg["start"]))
    names = library.load().techniques
    chapters = tag["CHAP"]
    assert [c[3] for c in chapters] == ["Welcome"] * (runs[0][1] > 0) + [names[t].name for t, _ in runs]
    starts = [c[1] for c in chapters if c[3] != "Welcome"]
    assert starts == [round(s * 1000) for _, s in runs]
    assert chapters[0][1] == 0 and all(a[2] == b[1] for a, b in zip(chapters, chapters[1:], strict=False))
    total = json.loads(plan_file.read_text())["total_seconds"]
    assert abs(chapters[-1][2] - total * 1000) <= 1000
    assert all(c[4] == [0xFFFFFFFF, 0xFFFFFFFF] for c in chapters)
    flags, children = tag["CTOC"]
    assert flags & 0x01 and flags & 0x02  # top level, ordered
    assert children == [c[0] for c in chapters]
    assert "10-minute partner session" in tag["TIT2"]


def test_wav_has_no_tag(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("VOICEGUIDE_TTS", "espeak-ng")
    out = tmp_path / "session.wav"
    assert cli("render", "--minutes", "3", "-o", str(out)).exit_code == 0
    assert out.read_bytes()[:4] == b"RIFF"
