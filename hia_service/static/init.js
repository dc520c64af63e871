// Starts the NHS.UK frontend components (error summary focus, header menu, character count...).
import { initAll } from "/nhsuk/nhsuk-frontend.min.js";

initAll();
