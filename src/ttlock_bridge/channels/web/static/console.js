// ttlock-bridge front desk: live refresh of page parts over server-sent events, the copy
// button and the passcode policy's feedback while typing. No framework, no build step.
"use strict";

const KINDS = [
  ["rooms", "data-room", (name) => `/fragments/rooms/${encodeURIComponent(name)}`],
  ["grants", "data-grant-doors", (id) => `/fragments/grants/${encodeURIComponent(id)}/doors`],
  ["doors", "data-lock", (name) => `/fragments/locks/${encodeURIComponent(name)}`],
];

async function refresh(element, url) {
  const response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
  if (response.status === 401) { window.location.assign("/signin"); return; }
  if (!response.ok) return;
  const holder = document.createElement("template");
  holder.innerHTML = (await response.text()).trim();
  const fresh = holder.content.firstElementChild;
  if (fresh && element.isConnected) element.replaceWith(fresh);
  document.dispatchEvent(new CustomEvent("console:refreshed", { detail: url }));
}

function refreshNamed(change) {
  for (const [key, attribute, url] of KINDS) {
    for (const name of change[key] || []) {
      document.querySelectorAll(`[${attribute}="${CSS.escape(String(name))}"]`)
        .forEach((element) => refresh(element, url(name)));
    }
  }
}

function refreshAll() {
  for (const [, attribute, url] of KINDS) {
    document.querySelectorAll(`[${attribute}]`)
      .forEach((element) => refresh(element, url(element.getAttribute(attribute))));
  }
}

function listen(path) {
  // On reconnecting, EventSource sends the last event's id and the server replays what the
  // page missed, or says {"all": true} when it no longer has it.
  const source = new EventSource(path);
  source.addEventListener("open", () => { document.body.dataset.liveState = "open"; });
  source.addEventListener("message", (event) => {
    const change = JSON.parse(event.data);
    if (change.all) refreshAll(); else refreshNamed(change);
  });
  source.addEventListener("error", () => { document.body.dataset.liveState = "reconnecting"; });
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
