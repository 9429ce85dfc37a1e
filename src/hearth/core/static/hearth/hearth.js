// Hearth's page script (an ES module). Everything works without it; it adds
// GOV.UK Frontend's behaviour: error summary focus, menu toggles, etc.
import { initAll } from "../govuk/govuk-frontend.min.js";

initAll();

// Content that htmx swaps in gets the same behaviour. Only the new fragment is
// scanned; the initial page is done above.
document.addEventListener("htmx:load", (event) => {
  const element = event.target;
  if (element instanceof Element && element !== document.body) {
    initAll({ scope: element });
  }
});

// "Print" buttons (hidden without JavaScript: the browser's own print works the same).
for (const button of document.querySelectorAll("[data-hearth-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
