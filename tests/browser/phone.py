"""Phone-width checks for browser tests: no page may scroll sideways at 320 CSS pixels (WCAG 1.4.10)."""

from __future__ import annotations

from playwright.sync_api import Page

PHONE = {"width": 320, "height": 640}
DESKTOP = {"width": 1280, "height": 800}

# The elements that stick out past the right edge, innermost first, to say what to fix.
WIDEST = """
() => {
  const edge = document.documentElement.clientWidth + 0.5;
  const out = e => e.getBoundingClientRect().right > edge;
  const name = e => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}.${[...e.classList].join('.')}`;
  return [...document.querySelectorAll('body *')]
    .filter(e => out(e) && !e.parentElement.closest('.hia-table-scroll, details:not([open])'))
    .filter(e => ![...e.children].some(out))
    .slice(0, 5)
    .map(e => `${name(e)} right=${Math.round(e.getBoundingClientRect().right)}`);
}
"""


SETTLED = """
() => document.fonts.ready.then(
  () => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))
)
"""


def sideways_scroll(page: Page) -> str | None:
    """None when the page fits its viewport's width; otherwise the width it needs and what sticks out.
    Measured once the page has loaded, its fonts are in and two frames have been drawn: NHS.UK frontend's
    header folds the navigation links that do not fit into a "More" menu when it starts and again on the
    next frame after a resize, and on a busy machine a page was once measured before it had (in CI)."""
    page.wait_for_load_state("load")
    page.evaluate(SETTLED)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    viewport = page.viewport_size or PHONE
    if width <= viewport["width"]:
        return None
    return f"{page.url}: {width}px wide at {viewport['width']}px ({'; '.join(page.evaluate(WIDEST))})"


def assert_fits(page: Page) -> None:
    problem = sideways_scroll(page)
    assert problem is None, problem
