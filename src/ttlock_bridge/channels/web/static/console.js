// ttlock-bridge front desk: live refresh of page parts over server-sent events, the copy
// button and the passcode policy's feedback while typing. No framework, no build step.
"use strict";

// Page parts a live message names (besides room cards): [message key, the attribute that
// marks such a part, its fragment's URL]. A door's facts (battery, gateway) come in one
// fragment for every chip of that door, however many rooms show it.
const PARTS = [
  ["grants", "data-grant-doors", (id) => `/fragments/grants/${encodeURIComponent(id)}/doors`],
  ["doors", "data-lock", (name) => `/fragments/locks/${encodeURIComponent(name)}`],
  ["doors", "data-door-facts", (name) => `/fragments/doors/${encodeURIComponent(name)}/facts`],
];
const cardUrl = (room) => `/fragments/rooms/${encodeURIComponent(room)}`;
const DOWN_AFTER_MS = 3000; // a stream that is not back by then shows "not live"
const REOPEN_MS = 5000; // after the server refused a stream (not a sign-in problem)

function signIn() {
  const here = window.location.pathname + window.location.search;
  window.location.assign(here === "/" ? "/signin" : `/signin?next=${encodeURIComponent(here)}`);
}

async function fetchFragment(url) {
  const response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
  if (response.status === 401) { signIn(); return null; }
  if (!response.ok) return null;
  const holder = document.createElement("template");
  holder.innerHTML = (await response.text()).trim();
  return holder.content.firstElementChild;
}

// Replace every element of `parts` (one part shown in several places) with the fragment at
// `url`; a room card holding a replaced part is a problem when any part in it says so.
async function refresh(parts, url) {
  const fresh = await fetchFragment(url);
  if (!fresh) return;
  for (const part of parts) {
    if (!part.isConnected) continue;
    const card = part.closest("[data-room]");
    part.replaceWith(fresh.cloneNode(true));
    if (card && card !== part) {
      card.classList.toggle("problem", card.querySelector("[data-problem]") !== null);
    }
  }
  document.dispatchEvent(new CustomEvent("console:refreshed", { detail: url }));
}

function named(attribute, name, match = "=") {
  return [...document.querySelectorAll(`[${attribute}${match}"${CSS.escape(String(name))}"]`)];
}

function refreshNamed(change) {
  // A room's card, or the card holding a stay whose code was just used (its tag).
  const cards = new Set([
    ...(change.rooms || []).flatMap((room) => named("data-room", room)),
    ...(change.tags || []).flatMap((tag) => named("data-tags", tag, "~=")),
  ]);
  cards.forEach((card) => refresh([card], cardUrl(card.dataset.room)));
  for (const [key, attribute, url] of PARTS) {
    for (const name of change[key] || []) {
      const parts = named(attribute, name);
      if (parts.length) refresh(parts, url(name));
    }
  }
}

function refreshAll() {
  document.querySelectorAll("[data-room]").forEach((card) => refresh([card], cardUrl(card.dataset.room)));
  for (const [, attribute, url] of PARTS) {
    const names = new Set([...document.querySelectorAll(`[${attribute}]`)].map((part) => part.getAttribute(attribute)));
    names.forEach((name) => refresh(named(attribute, name), url(name)));
  }
}

function setLive(state) {
  document.body.dataset.liveState = state;
  const banner = document.querySelector("[data-live-banner]");
  if (banner) banner.textContent = state === "reconnecting" ? "Not live — reconnecting…" : "";
}

// Whether the browser is still signed in: true, false (the session ended), or null (the
// server cannot say now).
async function signedIn() {
  try {
    const response = await fetch("/fragments/session", { credentials: "same-origin", cache: "no-store" });
    if (response.status === 401) return false;
    return response.ok ? true : null;
  } catch {
    return null;
  }
}

function listen(path) {
  // On reconnecting, EventSource sends the last event's id and the server replays what the
  // page missed, or says {"all": true} when it no longer has it. A stream ends every few
  // seconds and comes back at once; one that stays away shows the "not live" banner. When the
  // server refuses the stream, EventSource gives up: the page then asks whether it is still
  // signed in, goes to sign in if not, and else opens a new stream itself (which knows
  // nothing of what was missed: everything is refreshed once it is open).
  let downTimer = null;
  let reopened = false;
  const open = () => {
    const source = new EventSource(path);
    source.addEventListener("open", () => {
      clearTimeout(downTimer);
      downTimer = null;
      setLive("open");
      if (reopened) refreshAll();
      reopened = false;
    });
    source.addEventListener("message", (event) => {
      const change = JSON.parse(event.data);
      if (change.all) refreshAll(); else refreshNamed(change);
    });
    source.addEventListener("error", async () => {
      if (downTimer === null) downTimer = setTimeout(() => setLive("reconnecting"), DOWN_AFTER_MS);
      if (source.readyState !== EventSource.CLOSED) return; // EventSource tries again itself
      if (await signedIn() === false) { signIn(); return; }
      reopened = true;
      setTimeout(open, REOPEN_MS);
    });
  };
  open();
}

function copyButtons() {
  document.querySelectorAll("[data-copy]").forEach((button) => {
    button.hidden = false;
    button.addEventListener("click", async () => {
      const text = document.getElementById(button.dataset.copy).textContent.trim();
      try {
        await navigator.clipboard.writeText(text);
        button.textContent = "Copied";
      } catch {
        button.textContent = "Copy failed: select the code";
      }
    });
  });
}

function codeFeedback() {
  const input = document.querySelector("input[data-check]");
  if (!input) return;
  const output = document.getElementById(input.dataset.feedback);
  let timer = null;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      if (!input.value) { output.textContent = ""; return; }
      const body = new FormData(input.form);
      const response = await fetch(input.dataset.check, { method: "POST", body, credentials: "same-origin" });
      if (response.status === 401) { signIn(); return; }
      if (response.ok) output.textContent = await response.text();
    }, 250);
  });
}

document.addEventListener("DOMContentLoaded", () => {
  const live = document.body.dataset.live;
  if (live && document.querySelector("[data-room], [data-grant-doors], [data-lock]")) listen(live);
  copyButtons();
  codeFeedback();
});
