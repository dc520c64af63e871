// Starts the NHS.UK frontend components (error summary focus, header menu, character count...).
import { initAll } from "/nhsuk/nhsuk-frontend.min.js";
import { startSessionTimeout } from "./session_timeout.js";

initAll();

// A table wider than the screen scrolls in its own box: let keyboard users reach it to scroll it.
for (const box of document.querySelectorAll(".hia-table-scroll")) {
  if (box.scrollWidth > box.clientWidth) {
    const caption = box.querySelector("caption");
    box.tabIndex = 0;
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", caption ? caption.textContent.trim() : "Table");
  }
}

// The time-out warning, and keeping the session alive while someone types (session_timeout.js).
const timeoutDialog = document.getElementById("hia-timeout");
if (timeoutDialog) startSessionTimeout(timeoutDialog);

// A reviewer's comment typed under a section but not added would be lost when they return or approve the
// assessment (each section's box is a form of its own): stop, say which, and take them to it.
for (const form of document.querySelectorAll("form[data-hia-unsent-comments]")) {
  form.addEventListener("submit", (event) => {
    const unsent = [...document.querySelectorAll("textarea[data-hia-section-comment]")].filter(
      (box) => box.value.trim() !== "",
    );
    if (unsent.length === 0) return;
    event.preventDefault();
    const names = unsent.map((box) => box.dataset.hiaSectionComment);
    const message = form.querySelector("[data-hia-unsent-message]");
    message.textContent =
      `You have typed a comment on ${names.join(", ")} that you have not added. ` +
      "Select \u201cAdd comment\u201d under it, or clear it, first.";
    message.hidden = false;
    const details = unsent[0].closest("details");
    if (details) details.open = true;
    unsent[0].focus();
  });
}
