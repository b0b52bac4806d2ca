"""The companion page: one HTML file with its style and a small script inline.

Made for a phone propped up beside the mat, in portrait: big type, big buttons, high contrast,
and a red STOP fixed at the bottom of the screen. The state comes as server-sent events (the
browser reconnects by itself after the phone sleeps); a button is one POST.
"""

from __future__ import annotations

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>voiceguide: the session</title>
<style>
* { box-sizing: border-box; }
html { font-family: system-ui, "Liberation Sans", Arial, sans-serif; background: #fff; color: #000;
       scroll-padding-bottom: 100px; }
body { margin: 0; padding: 10px 10px 96px; font-size: 18px; line-height: 1.35; }
h1 { font-size: 22px; margin: 0 0 4px; }
#status { font-weight: bold; font-size: 15px; text-transform: uppercase; letter-spacing: 0.04em; }
#status.question, #status.paused { background: #000; color: #fff; padding: 2px 6px; display: inline-block; }
#step { font-size: 21px; margin: 6px 0; }
#question { border: 3px solid #000; padding: 8px; font-size: 21px; font-weight: bold; margin: 8px 0; }
.facts { display: grid; grid-template-columns: auto 1fr; gap: 2px 10px; margin: 8px 0; }
.facts dt { font-weight: bold; }
.facts dd { margin: 0; }
#side { font-weight: bold; font-size: 22px; }
#map svg { width: 100%; max-width: 420px; height: auto; max-height: 42vh; display: block; margin: 0 auto; }
#map:empty { display: none; }
.grid { display: grid; gap: 8px; margin: 10px 0; }
.pain { grid-template-columns: repeat(6, 1fr); }
.row { grid-template-columns: repeat(3, 1fr); }
.four { grid-template-columns: repeat(4, 1fr); }
.four button { font-size: 19px; }
button { font: inherit; font-size: 22px; font-weight: bold; min-height: 56px; border: 3px solid #000;
         border-radius: 10px; background: #fff; color: #000; padding: 4px; touch-action: manipulation; }
button:active, button.sent { background: #000; color: #fff; }
button:focus-visible { outline: 4px solid #0050c8; outline-offset: 2px; }
#stop { position: fixed; left: 8px; right: 8px; bottom: 8px; min-height: 76px; font-size: 32px;
        background: #c00000; color: #fff; border-color: #600; letter-spacing: 0.1em; z-index: 10; }
#stop:active { background: #600; }
#link { font-size: 14px; }
#link.lost { background: #ffe08a; color: #000; font-weight: bold; padding: 4px; }
h2 { font-size: 17px; margin: 14px 0 0; }
.ended button:not(#stop) { opacity: 0.4; }
</style>
</head>
<body>
<p id="link" role="status">Connecting to the session…</p>
<p id="status">Starting</p>
<h1 id="technique">voiceguide</h1>
<p id="step"></p>
<div id="question" hidden></div>
<div id="map" role="img" aria-label="Body map"></div>
<dl class="facts">
  <dt>Side</dt><dd id="side">–</dd>
  <dt>Pressure</dt><dd id="pressure">–</dd>
  <dt>This step</dt><dd id="step_left">–</dd>
  <dt>Session</dt><dd id="session_left">–</dd>
  <dt>Heard</dt><dd id="heard">–</dd>
  <dt>Said</dt><dd id="said">–</dd>
</dl>
<h2>Pain now, 0 to 10</h2>
<div class="grid pain">
  <button data-b="0">0</button><button data-b="1">1</button><button data-b="2">2</button>
  <button data-b="3">3</button><button data-b="4">4</button><button data-b="5">5</button>
  <button data-b="6">6</button><button data-b="7">7</button><button data-b="8">8</button>
  <button data-b="9">9</button><button data-b="10">10</button>
</div>
<h2>Pressure</h2>
<div class="grid row">
  <button data-b="less">− less</button><button data-b="good">good / yes</button>
  <button data-b="more">+ more</button>
</div>
<h2>Which side is worse?</h2>
<div class="grid row">
  <button data-b="left">left</button><button data-b="right">right</button>
</div>
<div class="grid four">
  <button data-b="no">no</button><button id="pause" data-b="pause">pause</button>
  <button data-b="repeat">repeat</button><button data-b="next">next</button>
</div>
<p id="next"></p>
<button id="stop" data-b="stop" aria-label="Stop the session now">STOP</button>
<script>
"use strict";
let state = null, source = null;
const $ = (id) => document.getElementById(id);
const clock = (s) => s == null ? "–" : Math.floor(s / 60) + ":" + String(Math.floor(s % 60)).padStart(2, "0");
window.vgLatency = [];
function left(s) {
  if (s == null || state == null || state.at == null) return null;
  if (state.paused || state.status === "ended") return s;
  return Math.max(0, s - (Date.now() - state.at) / 1000);
}
function tick() {
  if (!state) return;
  $("step_left").textContent = clock(left(state.step_left)) + (state.status === "ended" ? "" : " left");
  $("session_left").textContent = clock(left(state.session_left)) + (state.status === "ended" ? "" : " left");
}
function draw(s) {
  const first = state === null || state.map !== s.map;
  state = s;
  const words = {starting: "Starting", playing: "Playing", question: "Question: tap an answer",
                 paused: "Paused", ended: "Session over"};
  $("status").textContent = words[s.status] || s.status;
  $("status").className = s.status;
  $("technique").textContent = s.technique || "voiceguide";
  $("step").textContent = s.step || "";
  $("question").hidden = !s.question;
  $("question").textContent = s.question || "";
  $("side").textContent = s.side ? s.side.toUpperCase() + " side" : "both sides / middle";
  $("pressure").textContent = s.pressure_words || "–";
  $("heard").textContent = s.heard ? s.heard.text + " (" + (s.heard.source || "?") + ")" : "–";
  $("said").textContent = s.said || "–";
  $("next").textContent = s.next || "";
  if (first) $("map").innerHTML = s.map || "";
  const pause = $("pause");
  pause.dataset.b = s.paused ? "continue" : "pause";
  pause.textContent = s.paused ? "continue" : "pause";
  document.body.classList.toggle("ended", s.status === "ended");
  if (s.changed) window.vgLatency.push(Date.now() - s.changed);
  tick();
}
function connect() {
  source = new EventSource("events");
  source.onopen = () => { $("link").textContent = "Connected to the session."; $("link").className = ""; };
  source.onmessage = (e) => {
    const s = JSON.parse(e.data);
    draw(s);
    if (s.status === "ended") { source.close(); $("link").textContent = "The session has ended."; }
  };
  source.onerror = () => {
    if (state && state.status === "ended") return;
    $("link").textContent = "Lost the session: reconnecting…";
    $("link").className = "lost";
  };
}
async function press(button, el) {
  el.classList.add("sent");
  try {
    const r = await fetch("press", {method: "POST", body: new URLSearchParams({button: button})});
    $("link").textContent = r.ok ? "Sent: " + el.textContent : "Not sent: the session has ended.";
  } catch (e) {
    $("link").textContent = "Not sent: no connection to the session.";
    $("link").className = "lost";
  } finally {
    setTimeout(() => el.classList.remove("sent"), 250);
  }
}
document.querySelectorAll("button[data-b]").forEach((el) =>
  el.addEventListener("click", () => press(el.dataset.b, el)));
setInterval(tick, 500);
connect();
</script>
</body>
</html>
"""


def page_html() -> str:
    """The page, the same for every session (the token is in its address, never in the page)."""
    return PAGE
