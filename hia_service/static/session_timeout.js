// The NHS time-out warning. The service signs people out after a time without activity (the dialog's
// data-idle-seconds); a little before that (data-warning-seconds) this opens the dialog in templates/auth/
// timeout_warning.html: "Stay signed in" tells the service (data-alive-url), "Sign out" signs out, and when
// the time runs out the page is sent to the sign-in page that says why. The clock restarts whenever the
// service hears from this browser: a page loaded (in any tab, through localStorage) or a keep-alive call.

const ACTIVITY_KEY = "hia-session-activity";
const TYPING_PING_MS = 5 * 60 * 1000; // typing sends nothing until saved: tell the service now and then

export function startSessionTimeout(dialog) {
  const idleMs = Number(dialog.dataset.idleSeconds) * 1000;
  const warningMs = Math.min(Number(dialog.dataset.warningSeconds) * 1000, idleMs);
  const countdown = dialog.querySelector("[data-hia-countdown]");
  const stay = dialog.querySelector("[data-hia-stay]");
  let lastContact = 0;
  let lastTypingPing = 0;
  let warnTimer = 0;
  let endTimer = 0;
  let ticker = 0;
  let focusBefore = null;
  let ending = false;

  function restart(at) {
    lastContact = at;
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    const deadline = at + idleMs;
    warnTimer = setTimeout(warn, Math.max(0, deadline - warningMs - Date.now()));
    endTimer = setTimeout(() => end(), Math.max(0, deadline - Date.now()));
    if (dialog.open) hide();
  }

  function heardFromService() {
    const now = Date.now();
    try {
      localStorage.setItem(ACTIVITY_KEY, String(now));
    } catch {
      // Storage may be off: other tabs then keep their own clocks.
    }
    restart(now);
  }

  function warn() {
    if (dialog.open || ending) return;
    focusBefore = document.activeElement;
    showCountdown();
    ticker = setInterval(showCountdown, 1000);
    dialog.showModal(); // modal: the page behind is inert, so keyboard focus stays in the dialog
    stay.focus(); // screen readers announce the dialog's name and description, then this button
  }

  function hide() {
    dialog.close(); // the close listener below puts focus back
  }

  function closed() {
    clearInterval(ticker);
    if (focusBefore && document.contains(focusBefore)) focusBefore.focus();
    focusBefore = null;
  }

  function showCountdown() {
    const left = Math.max(0, Math.ceil((lastContact + idleMs - Date.now()) / 1000));
    countdown.textContent = inWords(left);
  }

  // Time is up. A session still open (this page's clock runs a little behind the service's) is ended by
  // the form, which carries its CSRF token; one the service has ended already, or signed out in another
  // tab, has no token to check: the page goes straight to the sign-in page, which says why.
  async function end(knownGone = false) {
    if (ending) return;
    ending = true;
    clearInterval(ticker);
    if (!knownGone && (await ping()) !== false) {
      dialog.querySelector("form[data-hia-timed-out]").submit();
      return;
    }
    const back = location.pathname + location.search;
    location.assign(`${dialog.dataset.signInUrl}?next=${encodeURIComponent(back)}`);
  }

  // True when the service has counted this as activity; a signed-out session answers with a redirect to
  // sign in, not followed here so that page's message is kept for the page the time-out goes to.
  async function ping() {
    try {
      const answer = await fetch(dialog.dataset.aliveUrl, {
        credentials: "same-origin",
        cache: "no-store",
        redirect: "manual",
      });
      return answer.status === 204;
    } catch {
      return null; // no network: the service's own clock still decides
    }
  }

  async function staySignedIn() {
    const alive = await ping();
    if (alive === false) end(true);
    else if (alive) heardFromService();
  }

  stay.addEventListener("click", staySignedIn);
  // Escape would close the dialog with nothing said to the service: take it as "Stay signed in". (The
  // browser may close the dialog anyway, without user activation since it opened: then "close" does it.)
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    if (!event.defaultPrevented) return;
    staySignedIn();
  });
  dialog.addEventListener("close", () => {
    const byEscape = !ending && Date.now() - lastContact >= idleMs - warningMs;
    closed();
    if (byEscape) staySignedIn();
  });
  document.addEventListener("input", async () => {
    const now = Date.now();
    if (now - Math.max(lastContact, lastTypingPing) < TYPING_PING_MS || dialog.open) return;
    lastTypingPing = now; // one call at a time
    if (await ping()) heardFromService();
  });
  window.addEventListener("storage", (event) => {
    if (event.key === ACTIVITY_KEY && Number(event.newValue) > lastContact) restart(Number(event.newValue));
  });
  // A page brought back by the Back button missed what other pages told the service while it was away.
  window.addEventListener("pageshow", (event) => {
    if (!event.persisted) return;
    let shared = 0;
    try {
      shared = Number(localStorage.getItem(ACTIVITY_KEY)) || 0;
    } catch {
      // Storage off: this page's own clock stands.
    }
    restart(Math.max(lastContact, shared));
  });

  heardFromService(); // this page was just served: the service's clock restarted with it
}

function inWords(seconds) {
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  const parts = [];
  if (minutes) parts.push(`${minutes} minute${minutes === 1 ? "" : "s"}`);
  if (rest || !minutes) parts.push(`${rest} second${rest === 1 ? "" : "s"}`);
  return parts.join(" ");
}
