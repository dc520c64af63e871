// Starts the NHS.UK frontend components (error summary focus, header menu, character count...).
import { initAll } from "/nhsuk/nhsuk-frontend.min.js";

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
