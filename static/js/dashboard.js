// Callback reminders: a callback row that is due carries data-callback-due; the first time
// this browser tab sees it (on load or after an htmx refresh) it raises a toast.
(function () {
  const seen = new Set(JSON.parse(sessionStorage.getItem("callbacks-reminded") || "[]"));
  function remind() {
    document.querySelectorAll("[data-callback-due]").forEach((row) => {
      const id = row.dataset.callbackDue;
      if (seen.has(id)) return;
      seen.add(id);
      const message = "Callback due: " + (row.dataset.callbackLabel || "a contact");
      document.dispatchEvent(new CustomEvent("toast", { detail: { message, level: "" } }));
    });
    sessionStorage.setItem("callbacks-reminded", JSON.stringify([...seen]));
  }
  document.addEventListener("DOMContentLoaded", remind);
  document.addEventListener("htmx:afterSettle", remind);
})();

// Provider account form: show only the credential fields of the chosen kind. Without this
// script every kind's group shows under its own heading and only the chosen one is read.
(function () {
  function sync() {
    const kind = document.querySelector("select[name=kind]");
    if (!kind) return;
    document.querySelectorAll("fieldset[data-credentials-for]").forEach((group) => {
      const mine = group.dataset.credentialsFor === kind.value;
      group.hidden = !mine;
      group.querySelectorAll("input, textarea").forEach((input) => { input.disabled = !mine; });
    });
  }
  document.addEventListener("DOMContentLoaded", () => {
    sync();
    document.addEventListener("change", (event) => {
      if (event.target.matches("select[name=kind]")) sync();
    });
  });
})();

// Time-in-state clocks: the server renders the seconds spent so far (data-elapsed) and
// the browser counts on from there, so the workspace polls only for a change of state.
// Counting from the moment the element appeared (not from a server timestamp) keeps a
// skewed client clock out of it; a re-rendered element brings a fresh count.
(function () {
  const started = new WeakMap();
  function format(seconds) {
    return Math.floor(seconds / 60) + ":" + String(seconds % 60).padStart(2, "0");
  }
  function tick() {
    const now = performance.now();
    document.querySelectorAll("[data-elapsed]").forEach((clock) => {
      if (!started.has(clock)) started.set(clock, now);
      const base = parseInt(clock.dataset.elapsed, 10) || 0;
      const text = format(base + Math.floor((now - started.get(clock)) / 1000));
      if (clock.textContent !== text) clock.textContent = text;
    });
  }
  document.addEventListener("DOMContentLoaded", () => {
    tick();
    setInterval(tick, 250);
  });
  document.addEventListener("htmx:afterSettle", tick);
})();

// Live probes: an element with data-live-probe asks its URL every second, without cookies
// (no session or user to load on the server), whether what it shows moved, sending the
// stamps its hx-vals and hx-include would send. 204 means no; anything else (moved, an
// error) fires `live` on it, and its authenticated htmx request fetches the fragment. A
// refused token (403: expired) makes that request go without its stamp, so it renders
// and brings a fresh token even when nothing moved.
(function () {
  const asking = new WeakSet();
  function stamps(element) {
    const params = new URLSearchParams(JSON.parse(element.getAttribute("hx-vals") || "{}"));
    const selector = element.getAttribute("hx-include");
    const extra = selector && document.querySelector(selector);
    if (extra && extra.name) params.set(extra.name, extra.value);
    return params;
  }
  function ask(element) {
    if (asking.has(element)) return;
    asking.add(element);
    const url = element.dataset.liveProbe + "&" + stamps(element);
    fetch(url, { credentials: "omit", cache: "no-store" })
      .then((response) => {
        if (response.status === 403) element.dataset.liveStale = "1";
        return response.status !== 204;
      })
      .catch(() => true)
      .then((moved) => {
        asking.delete(element);
        if (moved && document.body.contains(element)) htmx.trigger(element, "live");
      });
  }
  document.addEventListener("htmx:configRequest", (event) => {
    const element = event.detail.elt;
    if (element.dataset && element.dataset.liveStale) delete event.detail.parameters.v;
  });
  document.addEventListener("DOMContentLoaded", () => {
    setInterval(() => document.querySelectorAll("[data-live-probe]").forEach(ask), 1000);
  });
})();
