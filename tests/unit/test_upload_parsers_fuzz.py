"""The parsers behind organisation settings and other uploads, fuzzed: logos (PNG headers and hostile SVGs),
the SVG drawn on documents, a patient list's completeness columns, the facts a PDF carries in its keywords,
training join codes, population-served area codes and role names. Each either succeeds within its limits or
raises its documented error with a message; nothing else escapes."""

from __future__ import annotations

import struct
import zlib
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from hia_service.auth.roles import Role
from hia_service.documents.metadata import parse_keywords
from hia_service.domain.branding import MAX_LOGO_PIXELS, MIN_LOGO_PIXELS, PNG_SIGNATURE, LogoError, check_logo
from hia_service.domain.data_completeness import list_completeness
from hia_service.services.errors import ServiceError
from hia_service.services.organisation.population import area_from_codes
from hia_service.services.training.cohorts import CODE_ALPHABET, CODE_LENGTH, normalise_code
from tests.fuzz_counts import fuzz_settings, tried

# --- logos ----------------------------------------------------------------------------------------------


def png_header(width: int, height: int) -> bytes:
    body = struct.pack(">II", width, height) + b"\x08\x02\x00\x00\x00"
    return (
        PNG_SIGNATURE + struct.pack(">I", 13) + b"IHDR" + body + struct.pack(">I", zlib.crc32(b"IHDR" + body))
    )


dimension = st.integers(0, 2**32 - 1) | st.integers(0, 2100)
pngs = st.builds(png_header, dimension, dimension).flatmap(
    lambda header: st.integers(0, len(header)).map(lambda cut: header[: max(cut, 8)])  # whole or cut short
)
LENGTHS = [
    "", "0", "16", "120", "120px", " 40 ", "2000", "2001", "15.4", "-20", "1e3", "inf", "nan", "Infinity",
    "1e400", "12em", "50%", ".5", "0x20", "٣٠",
]  # fmt: skip
length = st.sampled_from(LENGTHS) | st.text(max_size=6)
view_box = st.lists(length, min_size=0, max_size=5).map(" ".join) | st.sampled_from(
    ["0 0 inf 100", "0 0 100 nan", "0,0,1e400,1e400", "0 0 -50 -50", "0 0 300 100"]
)
SAFE_CHILDREN = [
    '<rect width="10" height="10" fill="#005eb8"/>',
    '<text x="1" y="9" font-family="Frutiger" font-weight="700">NHS</text>',
    '<g id="a"><circle r="4"/></g><use href="#a"/>',
    "<style>rect { fill: #005eb8 }</style>",
    '<path d="M0 0 L 10 10 Z" style="fill: url(#grad)"/>',
]
# Each one is refused whatever else the file holds (the kind of trick it is, for the failure report).
HOSTILE_CHILDREN = [
    "<script>alert(1)</script>",
    '<foreignObject><iframe src="https://evil.example"/></foreignObject>',
    '<image href="https://evil.example/track.png" width="1" height="1"/>',
    '<a xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="javascript:alert(1)"><rect/></a>',
    '<rect onclick="steal()" width="5" height="5"/>',
    '<rect style="fill: url(https://evil.example/x)"/>',
    "<style>@import 'https://evil.example/a.css';</style>",
    '<embed src="x.swf"/>',
]
PROLOGS = [
    "",
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<?xml version="1.0" encoding="bogus"?>',
    '<?xml version="1.0" encoding="utf-16"?>',
    '<?xml version="1.0" encoding="latin-1"?>',
    "<!-- made by hand -->",
]
HOSTILE_PROLOGS = [
    '<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    '<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>',
    '<!doctype svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">',
]


@st.composite
def svgs(draw: st.DrawFn) -> tuple[bytes, bool]:
    """An SVG near a real logo, and whether it holds something that must be refused."""
    hostile_prolog = draw(st.sampled_from(HOSTILE_PROLOGS)) if draw(st.booleans()) else ""
    prolog = hostile_prolog or draw(st.sampled_from(PROLOGS))
    attributes = {
        name: draw(value)
        for name, value in (("width", length), ("height", length), ("viewBox", view_box))
        if draw(st.booleans())
    }
    hostile_attribute = 'onload="x()"' if draw(st.booleans()) else ""
    children = draw(st.lists(st.sampled_from(SAFE_CHILDREN), max_size=3))
    hostile_children = draw(st.lists(st.sampled_from(HOSTILE_CHILDREN), max_size=2))
    body = children + hostile_children
    body = draw(st.permutations(body)) if body else body
    namespace = draw(st.sampled_from(['xmlns="http://www.w3.org/2000/svg"', ""]))
    quoted = " ".join(f'{k}="{v.replace(chr(34), "")}"' for k, v in attributes.items())
    text = (
        f"{prolog}<svg {namespace} {quoted} {hostile_attribute}>{''.join(body)}"
        f"{draw(st.sampled_from(['</svg>', '', '</svg', '</svg><svg>']))}"
    )
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1"]))
    data = text.encode(encoding, errors="replace")
    return data, bool(hostile_prolog or hostile_attribute or hostile_children)


def _assert_within_limits(logo: Any) -> None:
    assert logo.kind in ("png", "svg")
    assert (
        MIN_LOGO_PIXELS <= logo.width <= MAX_LOGO_PIXELS and MIN_LOGO_PIXELS <= logo.height <= MAX_LOGO_PIXELS
    )


@fuzz_settings(200)
@given(data=pngs | st.binary(max_size=200) | st.binary(max_size=100).map(lambda b: PNG_SIGNATURE + b))
def test_png_logos_are_measured_or_refused(data: bytes) -> None:
    tried("parser: logo (PNG bytes)")
    try:
        logo = check_logo(data)
    except LogoError as error:
        assert str(error)
    else:
        _assert_within_limits(logo)


@fuzz_settings(300)
@given(svg=svgs())
# Found by this test: a viewBox of infinity or NaN escaped as OverflowError/ValueError (a 500 on upload),
# and an XML declaration naming an unknown encoding escaped as LookupError.
@example(svg=(b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 inf 100"/>', False))
@example(svg=(b'<svg viewBox="0 0 nan nan"/>', False))
@example(svg=(b'<?xml version="1.0" encoding="bogus"?><svg width="20" height="20"/>', False))
def test_svg_logos_are_measured_or_refused_and_hostile_ones_always_refused(svg: tuple[bytes, bool]) -> None:
    tried("parser: logo (SVG, hostile and malformed)")
    data, hostile = svg
    try:
        logo = check_logo(data)
    except LogoError as error:
        assert str(error)
    else:
        assert not hostile, "a hostile SVG was accepted"
        _assert_within_limits(logo)


@fuzz_settings(40)
@given(svg=svgs().filter(lambda s: not s[1]))
def test_accepted_svg_logos_draw_or_are_left_off_never_raise(svg: tuple[bytes, bool]) -> None:
    from hia_service.documents.pdf import _svg_logo

    tried("parser: SVG logo drawn on a PDF")
    logo = _svg_logo(svg[0])  # laid out by Typst alone first: a logo it cannot draw is left off
    assert logo is None or (logo.kind == "svg" and logo.data == svg[0])
    if logo is not None:
        assert 0 <= logo.width_mm <= 50 and 0 <= logo.height_mm <= 16


# --- a patient list's ethnicity, age and sex columns ----------------------------------------------------

headings = st.sampled_from(["postcode", "ethnicity", "Ethnic Group", "age", "DOB", "sex", "gender", "count"])
cells = st.sampled_from(["", "Z", "99", "0", "9", "not known", "A", "34", "F", '"', "'", "SW1A 1AA"])


@st.composite
def completeness_files(draw: st.DrawFn) -> bytes:
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    rows = [draw(st.lists(headings | st.text(max_size=6), max_size=4))]
    rows += draw(st.lists(st.lists(cells | st.text(max_size=6), max_size=4), max_size=10))
    text = "\n".join(delimiter.join(row) for row in rows)
    if (
        draw(st.integers(0, 7)) == 0
    ):  # an unclosed quote that swallows the rest: one field longer than csv allows
        text += '\n"' + "SW1A 1AA\n" * 15_000
    return text.encode(draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1"])), errors="replace")


@fuzz_settings(100)
@given(data=completeness_files() | st.binary(max_size=300))
# Found by this test: a field over csv's 131,072-character limit escaped as csv.Error. (The upload pages run
# the list's own parser first, which refuses such files, so this is defence in depth.) A UTF-16 list was read
# as UTF-8, so its columns were never recognised and its completeness never counted.
@example(data=b'postcode,ethnicity\nSW1A 1AA,"' + b"a" * 200_000 + b'"\n')
def test_patient_list_completeness_counts_or_finds_nothing(data: bytes) -> None:
    tried("parser: patient list completeness columns")
    found = list_completeness(data)
    if found is not None:
        assert found["records"] >= 0 and set(found["unknown"]) <= {"ethnicity", "age", "sex"}
        assert all(0 <= n <= found["records"] for n in found["unknown"].values())


def test_a_utf16_patient_list_has_its_completeness_counted() -> None:
    data = "postcode,ethnicity\nSW1A 1AA,Z\nSW1A 2AA,A\n".encode("utf-16")
    assert list_completeness(data) == {"records": 2, "unknown": {"ethnicity": 1}}


# --- the facts a PDF carries in its keywords (read from any uploaded PDF by the verify page) ------------

digits = st.integers(0, 10**6).map(str) | st.sampled_from(["9" * 5000, "0" * 4400 + "1", "٣"])
keyword_texts = st.builds(
    "{}; version {}; status {}; training {}{}".format,
    st.sampled_from(["HIA-2026-0042", "", "x y", "A" * 300]),
    digits,
    st.sampled_from(["approved", "draft", "APPROVED", ""]),
    st.sampled_from(["yes", "no", "maybe"]),
    st.sampled_from([""])
    | st.builds("; signature box {} {} {} {} {}".format, digits, digits, digits, digits, digits),
)


@fuzz_settings(150)
@given(keywords=keyword_texts | st.text(max_size=80) | st.none())
# Found by this test: a version or page of more than 4,300 digits escaped as ValueError from int().
@example(keywords="HIA-2026-0042; version " + "9" * 5000 + "; status approved; training no")
@example(keywords="X; version 1; status approved; training no; signature box " + "9" * 5000 + " 1 2 3 4")
def test_pdf_keywords_are_read_or_ignored(keywords: str | None) -> None:
    tried("parser: PDF keywords (document facts)")
    info = parse_keywords(keywords)
    assert info is None or (info.reference and info.version >= 0 and info.status)


# --- short text parsers -----------------------------------------------------------------------------------

join_codes = (
    st.text(alphabet=CODE_ALPHABET + "-  01OIL", max_size=12)
    | st.text(max_size=12)
    | st.sampled_from(
        [
            "ABCD-2345",
            "abcd 2345",
            "ABCD2345\x00",
            "\uff21\uff22\uff23\uff24\uff12\uff13\uff14\uff15",
            "ABCD-234\uff15",
        ]
    )
)


@fuzz_settings(200)
@given(raw=join_codes | st.none())
def test_join_codes_are_normalised_or_refused(raw: str | None) -> None:
    tried("parser: training join code")
    try:
        code = normalise_code(raw)
    except ServiceError as error:
        assert error.message and error.field == "code"
    else:
        assert len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET)


area_codes = st.lists(
    st.sampled_from(["E06000009", "e07000117", "E54000050", "E38000001", "W06000015", "E01000001", ","])
    | st.text(max_size=10),
    max_size=6,
).map(" ".join)


@fuzz_settings(200)
@given(text=area_codes | st.text(max_size=40))
def test_population_served_codes_are_read_or_refused(text: str) -> None:
    tried("parser: population-served area codes")
    try:
        area = area_from_codes(text)
    except ServiceError as error:
        assert error.message and error.field == "area_codes"
        assert len(error.message) < 200  # what was typed is quoted, never a whole pasted page
    else:
        assert area.definition["type"] in ("lad", "icb", "sub_icb") and area.definition["codes"]


def test_a_pasted_page_is_quoted_back_in_a_few_characters() -> None:
    with pytest.raises(ServiceError) as raised:
        area_from_codes("x" * 100_000)
    assert raised.value.message.startswith("'" + "X" * 30 + "…' is not a local authority")


@fuzz_settings(100)
@given(value=st.sampled_from([r.value for r in Role]) | st.text(max_size=12))
def test_role_names_are_read_or_refused(value: str) -> None:
    tried("parser: role name")
    try:
        role = Role.parse(value)
    except ValueError as error:
        assert "Choose one of" in str(error)
    else:
        assert role.value == value.strip().lower()


@pytest.mark.parametrize("raw", ["ABCD-2345", " abcd 2345 ", "ab-cd-23-45"])
def test_join_codes_read_aloud_in_any_case_or_spacing_are_the_same_code(raw: str) -> None:
    assert normalise_code(raw) == "ABCD2345"


def test_a_pdf_whose_keywords_hold_a_huge_number_is_checked_not_crashed() -> None:
    """The verify page reads the keywords of any uploaded PDF: before the fix this raised ValueError."""
    import io

    from reportlab.pdfgen import canvas

    from hia_service.documents import verify_pdf

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.setKeywords("HIA-2026-0042; version " + "9" * 5000 + "; status approved; training no")
    pdf.drawString(72, 720, "Not a signed record")
    pdf.save()
    result = verify_pdf(buffer.getvalue())
    assert not result.genuine and result.reason
