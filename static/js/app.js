// Toasts: views answer with an `HX-Trigger: {"toast": {...}}` header (django-htmx's
// trigger_client_event); show each for a few seconds in the polite live region.
document.addEventListener("toast", (event) => {
  const { message, level } = event.detail || {};
  if (!message) return;
  const box = document.getElementById("toasts");
  const toast = document.createElement("div");
  toast.className = "toast " + (level || "");
  toast.textContent = message;
  box.appendChild(toast);
  setTimeout(() => toast.remove(), 5000);
});

// Read-only fields meant for copying (webhook URLs) select themselves on focus.
document.addEventListener("focusin", (event) => {
  if (event.target.matches && event.target.matches("input.copy")) event.target.select();
});
