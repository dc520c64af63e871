import base64
import io
import logging
import re
import subprocess

import numpy
import pypdf
import pytest
from PIL import Image

from hia_service.documents import SnapshotError, build_pdf
from hia_service.documents.metadata import parse_keywords
from hia_service.documents.sample import example_map_png
from hia_service.domain.branding import check_logo

DRAFT, TRAINING = "DRAFT — NOT APPROVED", "TRAINING — NOT FOR DECISION"
mm = 72 / 25.4
PAGE_WIDTH, MARGIN_X = 210 * mm, 18 * mm


@pytest.fixture(scope="module")
def map_png() -> bytes:
    return example_map_png()


@pytest.fixture
def approved(snapshot, map_png) -> bytes:
    return build_pdf(snapshot, map_png=map_png)


def _reader(pdf: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(pdf))


def test_page_one_is_the_board_cover_sheet(approved, page_texts):
    cover = page_texts(approved)[0]
    for expected in (
        "Northshire NHS Foundation Trust",
        "Close the minor injuries unit at Eastfield Community Hospital",
        "Reference HIA-2026-0042 v3",
        "Decision to be made by Board of Directors (meeting in public)",
        "Planned date of decision 10 December 2026",
        "Decision To be recorded after the decision",
        "Recommendation Proceed with mitigations. Approve the closure on condition that the shuttle bus",
        "HIGH RISK OF WIDENING INEQUALITIES",
        "the main barrier (evening transport) falls hardest on them",
        (
            "About 4 in 10 of the people affected (41%) live in the most deprived fifth of neighbourhoods in "
            "England: 2.1 times the England share (20%)"
        ),
        "Key impacts and what we will do about them",
        "Age Negative Extend community nursing visits for minor wounds to people over 75",
        "Disability Not known yet The shuttle bus will be wheelchair accessible",
        "Positive impacts for: Carers.",
        "Sign-off Approved by Dr Helen Marsh, Medical Director, on 20 November 2026.",
        "Check this document is genuine",
    ):
        assert expected in cover


def test_every_footer_has_the_reference_and_page_x_of_y(approved, page_texts):
    pages = page_texts(approved)
    assert len(pages) >= 5
    for number, text in enumerate(pages, start=1):
        assert "HIA-2026-0042 v3 · Health inequalities impact assessment" in text
        assert f"Page {number} of {len(pages)}" in text


def test_the_whole_assessment_follows(approved, page_texts):
    text = " ".join(page_texts(approved))
    for expected in (
        "How deprived are the areas affected?",
        "1 (most deprived) 12,410 24% 10%",
        "How the rating was worked out",
        "Inclusion health groups High People experiencing homelessness would lose walk-in wound care",
        "Compared with the wider area",
        "NHS Northshire and Dale Integrated Care Board 23%",
        "Health deprivation and disability 0.82 47%",
        "Who is affected Where do the people affected live? 14,120 patients' home postcodes, matched to"
        " neighbourhoods",
        "Group Likely impact Evidence What we will do",
        "Sex Neutral Attendances are split evenly",
        "Patients and people who use the service Carers and families Community groups and the public",
        "No record of disability for 70% of attendances",
        "What do you recommend? Proceed with mitigations",
        "When this version was submitted, 2 quality checks raised a warning",
        "Involving people: The feedback does not say",
        "Action plan",
        "at the Mill Lane day centre Inclusion Health Lead 31 January 2027",
        "English Indices of Deprivation 2025 (IoD2025)",
        "Health inequalities and equality impact assessment, version 1.0",
        "Contains public sector information licensed under the Open Government Licence v3.0.",
        "Contains OS data © Crown copyright and database right 2025.",
        "Reviewer Tom Okafor Head of Health Inequalities 16 November 2026",
        "carries the organisation's digital signature",
    ):
        assert expected in text


def test_answers_containing_markup_are_shown_not_obeyed(snapshot, page_texts):
    snapshot["answers"]["who.service_users"] = (
        '<script>alert("x")</script> <font size=40>big</font> & <para> <b>'
    )
    snapshot["title"] = "Close <i>the</i> unit & move"
    text = " ".join(page_texts(build_pdf(snapshot)))
    assert '<script>alert("x")</script> <font size=40>big</font> & <para> <b>' in text
    assert "Close <i>the</i> unit & move" in text
    assert '"<b>Don\'t close it</b> until the bus is sorted" & "the 42 stops at 7"' in text


def test_a_very_long_answer_flows_over_pages(snapshot, page_texts):
    snapshot["answers"]["engagement.feedback"] = " ".join(
        f"Comment number {n} from a drop-in." for n in range(900)
    )
    snapshot["answers"]["actions.plan"][0]["measure"] = "Measured monthly. " * 600  # taller than a page
    pages = page_texts(build_pdf(snapshot))
    assert len(pages) > 12
    text = " ".join(pages)
    assert "Comment number 0 from a drop-in." in text
    assert "Comment number 899 from a drop-in." in text


def test_the_same_snapshot_gives_the_same_bytes(snapshot, map_png, approved):
    assert build_pdf(snapshot, map_png=map_png) == approved


def test_the_document_date_is_the_snapshot_date_not_today(approved):
    info = _reader(approved).metadata
    assert info["/CreationDate"] in ("D:20261123100000Z", "D:20261123100000+00'00'")  # both say UTC
    assert info["/Title"].startswith("Close the minor injuries unit")
    assert info["/Author"] == "Northshire NHS Foundation Trust"


def test_the_reference_and_the_signature_space_are_in_the_metadata(approved):
    reader = _reader(approved)
    info = parse_keywords(reader.metadata["/Keywords"])
    assert (info.reference, info.version, info.status, info.training) == (
        "HIA-2026-0042",
        3,
        "approved",
        False,
    )
    box = info.signature_box
    assert box.page == len(reader.pages) - 1
    assert "Sign-off" in reader.pages[box.page].extract_text()
    assert 0 < box.x1 < box.x2 < 595 and 60 < box.y1 < box.y2 < 800


@pytest.mark.parametrize("status", ["draft", "submitted", "in_review", "returned"])
def test_unapproved_versions_are_marked_draft_on_every_page(snapshot, status, page_texts):
    snapshot["status"] = status
    pdf = build_pdf(snapshot)
    assert all(DRAFT in text for text in page_texts(pdf))
    assert "Not signed: this version is not approved" in page_texts(pdf)[-1]
    assert parse_keywords(_reader(pdf).metadata["/Keywords"]).signature_box is None


def test_training_documents_carry_the_watermark_on_every_page(snapshot, page_texts):
    snapshot["training"] = True
    pages = page_texts(build_pdf(snapshot))
    assert all(text.count(TRAINING) >= 2 for text in pages)  # the banner and the diagonal watermark


def test_approved_records_carry_no_marks(approved, page_texts):
    assert not any(DRAFT in t or TRAINING in t for t in page_texts(approved))


def test_the_cover_links_to_the_verification_page(approved):
    first_page = _reader(approved).pages[0]
    uris = [a.get_object()["/A"]["/URI"] for a in first_page.get("/Annots", [])]
    assert "http://127.0.0.1:5000/verify/HIA-2026-0042/3" in uris


def test_a_record_is_well_under_a_megabyte(approved):
    assert len(approved) < 1024 * 1024


def _image_sizes(pdf: bytes) -> list[tuple[int, int]]:
    """The pictures in the file, each once however many pages show it."""
    return sorted({image.image.size for page in _reader(pdf).pages for image in page.images})


def test_a_logo_can_arrive_as_base64(snapshot, map_png, plain_pdf):
    without = _image_sizes(plain_pdf)
    snapshot["organisation"]["logo_png"] = base64.b64encode(map_png).decode()
    with_logo = _image_sizes(build_pdf(snapshot))
    assert set(with_logo) - set(without) == {Image.open(io.BytesIO(map_png)).size}


def test_a_logo_that_is_not_an_image_is_refused(snapshot):
    snapshot["organisation"]["logo_png"] = base64.b64encode(b"not a png").decode()
    with pytest.raises(SnapshotError, match="logo"):
        build_pdf(snapshot)


def test_a_missing_key_is_refused_before_drawing(snapshot):
    del snapshot["verify_url"]
    with pytest.raises(SnapshotError, match="'verify_url' is missing"):
        build_pdf(snapshot)


def test_without_profile_or_rating_the_record_still_renders(snapshot, page_texts):
    snapshot["profile"] = snapshot["rating"] = None
    cover = page_texts(build_pdf(snapshot))[0]
    assert "The assessment has not been rated yet." in cover
    assert not re.search(r"\d+% of the people affected", cover)


def test_an_index_without_population_figures_renders_without_the_chart(snapshot, page_texts):
    profile = snapshot["profile"]
    profile["population"] = profile["population_by_decile"] = None
    profile["baseline"]["nation"]["name"] = "Wales"
    pdf = build_pdf(snapshot)
    text = " ".join(page_texts(pdf))
    assert "most deprived fifth of neighbourhoods in Wales" in text
    assert "People affected by deprivation decile" not in text
    assert not any(page.images for page in _reader(pdf).pages)


# An SVG logo: a purple block (a colour nothing else on the page uses) with a word in a font we do not have.
PURPLE = (153, 0, 153)
SVG_LOGO = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40" viewBox="0 0 120 40">'
    b'<rect width="120" height="40" fill="#990099"/>'
    b'<text x="8" y="27" font-family="Frutiger, Arial" font-weight="bold" font-size="18" fill="#ffffff">'
    b"Trust</text></svg>"
)


def _first_page_pixels(pdf: bytes, tmp_path) -> Image.Image:
    """Page 1 drawn by poppler at 72 dpi, so one pixel is one PDF point."""
    (tmp_path / "doc.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "72", "-f", "1", "-l", "1", "-singlefile", "doc.pdf", "page"],
        cwd=tmp_path,
        check=True,
        timeout=60,
    )
    return Image.open(tmp_path / "page.png").convert("RGB")


def _purple_box(image: Image.Image) -> tuple[int, tuple[int, int, int, int] | None]:
    """How many pixels are the logo's purple, and their bounding box (left, top, right, bottom)."""
    purple = (numpy.asarray(image) == PURPLE).all(axis=2)
    rows, columns = numpy.nonzero(purple)
    if not len(rows):
        return 0, None
    return len(rows), (int(columns.min()), int(rows.min()), int(columns.max()) + 1, int(rows.max()) + 1)


def test_an_svg_logo_is_drawn_as_vectors_in_the_logo_box(snapshot, tmp_path, plain_pdf):
    without = _image_sizes(plain_pdf)
    snapshot["organisation"]["logo_svg"] = base64.b64encode(SVG_LOGO).decode()
    pdf = build_pdf(snapshot)
    assert _image_sizes(pdf) == without  # drawn with paths, not embedded as a picture
    count, box = _purple_box(_first_page_pixels(pdf, tmp_path))
    # 120 x 40 scaled into at most 50 mm x 16 mm: 48 mm x 16 mm (136 x 45 points), right-aligned at the margin
    assert count > 4500 and box is not None
    left, top, right, bottom = box
    assert abs(right - (PAGE_WIDTH - MARGIN_X)) <= 2 and abs((right - left) - 48 * mm) <= 3
    assert abs(top - 5 * mm) <= 2 and abs((bottom - top) - 16 * mm) <= 3
    assert build_pdf(snapshot) == pdf  # still deterministic


def test_an_svg_logo_with_a_shape_that_cannot_be_drawn_leaves_the_name(snapshot, tmp_path):
    broken = (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40">'
        b'<rect width="abc" height="40" fill="#990099"/></svg>'
    )
    assert check_logo(broken).kind == "svg"  # the upload check accepts it
    snapshot["organisation"]["logo_svg"] = base64.b64encode(broken).decode()
    pdf = build_pdf(snapshot)
    assert _purple_box(_first_page_pixels(pdf, tmp_path))[0] == 0
    assert "Northshire NHS Foundation Trust" in _reader(pdf).pages[0].extract_text()


def test_an_svg_logo_that_fails_the_logo_check_is_never_drawn(snapshot, tmp_path, caplog, plain_pdf):
    without = _image_sizes(plain_pdf)
    outside = (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40">'
        b'<image href="data:image/png;base64,iVBORw0KGgo=" width="120" height="40"/></svg>'
    )
    snapshot["organisation"]["logo_svg"] = base64.b64encode(outside).decode()
    with caplog.at_level(logging.WARNING, logger="hia_service.documents.pdf"):
        pdf = build_pdf(snapshot)
    assert "it fails the logo check" in caplog.text
    assert _image_sizes(pdf) == without


def test_svg_text_is_drawn_with_the_document_fonts_never_looked_up_on_the_machine(snapshot, plain_pdf):
    def page_fonts(pdf: bytes) -> set[str]:
        """Font names without their subset tags (ABCDEF+): a logo's text may get a subset of its own."""
        fonts = _reader(pdf).pages[0]["/Resources"]["/Font"].values()
        return {str(font["/BaseFont"]).split("+")[-1] for font in fonts}

    without_logo = page_fonts(plain_pdf)
    snapshot["organisation"]["logo_svg"] = base64.b64encode(SVG_LOGO).decode()
    # the logo's "Frutiger, Arial" resolves to the document's own Liberation Sans (Arial's metric twin)
    assert page_fonts(build_pdf(snapshot)) <= without_logo


def test_an_svg_logo_drawing_past_its_own_edges_stays_in_the_logo_box(snapshot, tmp_path):
    spilling = (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40">'
        b'<rect x="-500" y="-500" width="2000" height="2000" fill="#990099"/></svg>'
    )
    snapshot["organisation"]["logo_svg"] = base64.b64encode(spilling).decode()
    _, box = _purple_box(_first_page_pixels(build_pdf(snapshot), tmp_path))
    assert box is not None
    left, top, right, bottom = box
    assert right - left <= 48 * mm + 2 and bottom - top <= 16 * mm + 2
