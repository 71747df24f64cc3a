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

// Live streams: an element with data-live-stream is refreshed when the server pushes
// `moved` on that event stream (text/event-stream, telephony/services/live_feed.py): it
// fires `live` on the element, and its own htmx request fetches the fragment. The stream
// is opened with the stamps the element would send (its hx-vals and hx-include), so a
// change made between the render and the connection is pushed at once. One stream per
// URL and page; when it ends or fails it is opened again, with the stamps of that moment.
(function () {
  function stamps(element) {
    const params = new URLSearchParams();
    const vals = JSON.parse(element.getAttribute("hx-vals") || "{}");
    if (vals.v) params.set("v", vals.v);
    const selector = element.getAttribute("hx-include");
    const extra = selector && document.querySelector(selector);
    if (extra && extra.name) params.set(extra.name, extra.value);
    return params;
  }
  // A click still in flight (a state button, a wrap-up) is answered with the new fragment;
  // a pushed refresh swapped in first would detach the clicked form, and htmx would drop
  // that answer and its toast. So wait until it has settled, then refresh (204 if the
  // answer already showed everything).
  function fire(url) {
    if (document.querySelector(".htmx-request")) {
      document.addEventListener("htmx:afterSettle", () => fire(url), { once: true });
      return;
    }
    document.querySelectorAll('[data-live-stream="' + url + '"]').forEach((live) => {
      htmx.trigger(live, "live");
    });
  }
  function open(url) {
    const element = document.querySelector('[data-live-stream="' + url + '"]');
    if (!element || !window.EventSource) return;
    const source = new EventSource(url + "?" + stamps(element));
    source.addEventListener("moved", () => fire(url));
    source.onerror = () => {
      source.close();
      setTimeout(() => open(url), 1000);
    };
  }
  document.addEventListener("DOMContentLoaded", () => {
    const urls = new Set();
    document.querySelectorAll("[data-live-stream]").forEach((e) => urls.add(e.dataset.liveStream));
    urls.forEach(open);
  });
})();
