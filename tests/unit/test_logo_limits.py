"""An SVG logo's drawing cost is checked before anything draws it: copies of copies (<use> of a group of
<use>s, the SVG "billion laughs"), reference loops, deep nesting and sheer size are refused with one clear
reason, without expanding anything."""

from __future__ import annotations

import pytest

from hia_service.domain.branding import TOO_COMPLEX, LogoError, check_logo

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
    'width="120" height="40">'
)


# 300 elements, but a group of 100 drawn 200 times: 20,000
MANY_COPIES = (
    SVG + '<g id="g">' + '<rect width="1" height="1"/>' * 100 + "</g>" + '<use href="#g"/>' * 200 + "</svg>"
).encode()


def nested_uses(levels: int, fan: int = 10, attribute: str = "href") -> bytes:
    parts = [SVG, '<defs><rect id="l0" width="1" height="1"/>']
    for level in range(1, levels + 1):
        parts.append(f'<g id="l{level}">' + f'<use {attribute}="#l{level - 1}"/>' * fan + "</g>")
    parts.append(f'</defs><use {attribute}="#l{levels}"/></svg>')
    return "".join(parts).encode()


def test_a_few_copies_of_copies_are_fine() -> None:
    assert check_logo(nested_uses(3)).kind == "svg"  # a thousand rectangles


@pytest.mark.parametrize(
    "svg",
    [
        nested_uses(9),  # a billion rectangles
        nested_uses(9, attribute="xlink:href"),
        nested_uses(4),  # ten thousand: over the limit
        nested_uses(6, fan=2),  # only 64 copies, but nested too deep
        (SVG + '<g id="g"><use href="#g"/></g></svg>').encode(),  # a loop
        (SVG + '<g id="a"><use href="#b"/></g><g id="b"><use href="#a"/></g></svg>').encode(),
        (SVG + "<g>" * 500 + "</g>" * 500 + "</svg>").encode(),  # nesting
        (SVG + '<rect width="1" height="1"/>' * 4000 + "</svg>").encode(),  # elements
        MANY_COPIES,
    ],
)
def test_svgs_too_costly_to_draw_are_refused_with_one_reason(svg: bytes) -> None:
    with pytest.raises(LogoError) as refused:
        check_logo(svg)
    assert str(refused.value) == TOO_COMPLEX
