// nhsuk-frontend marks each radio that reveals a follow-up question with aria-expanded, which ARIA 1.2 does
// not allow on radios (axe "aria-allowed-attr", critical; govuk-frontend issue #979). The reveal itself and
// aria-controls are kept; only that attribute is taken off, whenever the library sets it.
const strip = (element) => element.removeAttribute("aria-expanded");

const observer = new MutationObserver((changes) => {
  for (const change of changes) {
    if (change.target.matches(".nhsuk-radios__input") && change.target.hasAttribute("aria-expanded")) {
      strip(change.target);
    }
  }
});
observer.observe(document.body, { subtree: true, attributeFilter: ["aria-expanded"] });
document.querySelectorAll(".nhsuk-radios__input[aria-expanded]").forEach(strip);
