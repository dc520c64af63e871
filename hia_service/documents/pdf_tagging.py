"""Finishing touches WeasyPrint's tagged PDF needs to be PDF/UA-1 and PDF/A-2a in one file.

WeasyPrint writes one variant at a time. We ask it for a tagged PDF 1.7 with a file identifier (what its
pdf/ua-1 and pdf/a-2a variants both set) and, before the file is written, add what the two standards ask
for on top:
- the sRGB output intent and print flags on annotations (as WeasyPrint's pdf/a-2a variant does; done here
  because that variant leaves the ICC profile's file open);
- XMP metadata identifying both PDF/A-2a (pdfaid) and PDF/UA-1 (pdfuaid);
- Scope on every table header cell (Column in a table head, Row in its body), besides the Headers ids
  WeasyPrint already links from the data cells;
- the running header and footer (CSS margin boxes) marked as pagination artefacts: WeasyPrint tags them
  as content left outside the structure tree, which PDF/UA-1 forbids;
- the snapshot's date in the document information, in the form the PDF reference gives.
"""

from collections.abc import Iterator
from datetime import datetime
from functools import cache
from importlib.resources import files
from typing import Any
from xml.etree import ElementTree

import pydyf
from weasyprint.pdf.metadata import DocumentMetadata

_ICC = files("weasyprint.pdf") / "sRGB2014.icc"

PDFAID = "http://www.aiim.org/pdfa/ns/id/"
PDFUAID = "http://www.aiim.org/pdfua/ns/id/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XMP_HEADER = (
    b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>\n<x:xmpmeta xmlns:x="adobe:ns:meta/">'
)
XMP_FOOTER = b'</x:xmpmeta>\n<?xpacket end="r"?>'


def finish(document: Any, pdf: pydyf.PDF, created: datetime) -> None:
    """WeasyPrint's finisher hook: runs on the assembled PDF objects before they are written."""
    _date(pdf, created)
    _output_intent(pdf)
    _print_annotations(pdf)
    _metadata(document.metadata, pdf)
    _header_scopes(pdf)
    _margin_boxes_as_artefacts(pdf)


def pdf_date(moment: datetime) -> str:
    offset = moment.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    sign = "+" if minutes >= 0 else "-"
    return moment.strftime("D:%Y%m%d%H%M%S") + f"{sign}{abs(minutes) // 60:02d}'{abs(minutes) % 60:02d}'"


def _date(pdf: pydyf.PDF, created: datetime) -> None:
    stamp = pydyf.String(pdf_date(created))
    pdf.info["CreationDate"] = stamp
    pdf.info["ModDate"] = stamp


@cache
def _srgb_profile() -> bytes:
    return _ICC.read_bytes()


def _output_intent(pdf: pydyf.PDF) -> None:
    """PDF/A: the colours are sRGB, said once for the whole file."""
    profile = pydyf.Stream([_srgb_profile()], pydyf.Dictionary({"N": 3}), compress=True)
    pdf.add_object(profile)
    intent = pydyf.Dictionary(
        {
            "Type": "/OutputIntent",
            "S": "/GTS_PDFA1",
            "OutputConditionIdentifier": pydyf.String("sRGB2014.icc"),
            "Info": pydyf.String("sRGB2014.icc"),
            "DestOutputProfile": profile.reference,
        }
    )
    pdf.catalog["OutputIntents"] = pydyf.Array([intent])


def _print_annotations(pdf: pydyf.PDF) -> None:
    """PDF/A: every annotation (the links) is printed with the page."""
    for item in pdf.objects:
        if isinstance(item, pydyf.Dictionary) and item.get("Type") == "/Annot":
            item["F"] = 4


def _metadata(metadata: DocumentMetadata, pdf: pydyf.PDF) -> None:
    """The XMP packet, with PDF/A-2a and PDF/UA-1 both identified in its first description."""
    rdf = ElementTree.fromstring(metadata.generate_rdf_metadata("a", 2, "A"))
    identification = rdf.find(f"{{{RDF}}}Description")
    if identification is None or identification.get(f"{{{PDFAID}}}part") != "2":
        raise RuntimeError("WeasyPrint's XMP metadata has changed shape: check the PDF/A identification.")
    identification.set(f"{{{PDFUAID}}}part", "1")
    packet = b"\n".join((XMP_HEADER, ElementTree.tostring(rdf, encoding="utf-8"), XMP_FOOTER))
    stream = pydyf.Stream([packet], pydyf.Dictionary({"Type": "/Metadata", "Subtype": "/XML"}))
    pdf.add_object(stream)  # uncompressed, so any tool can read the identification
    pdf.catalog["Metadata"] = stream.reference


def _header_scopes(pdf: pydyf.PDF) -> None:
    for element in _struct_elements(pdf):
        if element.get("S") != "/TH":
            continue
        row = _object(pdf, element["P"])
        section = _object(pdf, row["P"]) if row.get("S") == "/TR" else None
        scope = "/Column" if section is not None and section.get("S") == "/THead" else "/Row"
        attributes = element.setdefault("A", pydyf.Dictionary({"O": "/Table"}))
        attributes["Scope"] = scope


def _margin_boxes_as_artefacts(pdf: pydyf.PDF) -> None:
    """Content marked for structure elements outside the tree becomes /Artifact /Pagination content."""
    root = _object(pdf, pdf.catalog["StructTreeRoot"])
    reachable = {id(e) for e in _descendants(pdf, root)}
    outside = {
        (_number(e["Pg"]), kid)
        for e in _struct_elements(pdf)
        if id(e) not in reachable and "Pg" in e
        for kid in e["K"]
        if isinstance(kid, int)
    }
    if not outside:
        return
    pages = {_number(ref): index for index, ref in enumerate(pdf.page_references)}
    parent_tree = _object(pdf, root["ParentTree"])["Nums"]
    by_page: dict[int, set[int]] = {}
    for page_number, mcid in outside:
        by_page.setdefault(pages[page_number], set()).add(mcid)
    for index, mcids in by_page.items():
        for mcid in mcids:
            parent_tree[2 * index + 1][mcid] = "null"
        contents = _object(pdf, _object(pdf, pdf.page_references[index])["Contents"])
        _unmark(contents.stream, mcids)


def _unmark(stream: list[Any], mcids: set[int]) -> None:
    """Mark the content of each of mcids as a pagination artefact, in one pass over the page's stream."""
    left = set(mcids)
    for position, operation in enumerate(stream):
        if isinstance(operation, pydyf.Dictionary) and operation.get("MCID") in left:
            left.discard(operation["MCID"])
            stream[position - 1] = "/Artifact"
            stream[position] = pydyf.Dictionary({"Type": "/Pagination"})
            if not left:
                return
    raise RuntimeError(f"Marked content {sorted(left)} is not on its page.")


def _struct_elements(pdf: pydyf.PDF) -> Iterator[pydyf.Dictionary]:
    for item in pdf.objects:
        if isinstance(item, pydyf.Dictionary) and item.get("Type") == "/StructElem":
            yield item


def _descendants(pdf: pydyf.PDF, element: pydyf.Dictionary) -> Iterator[pydyf.Dictionary]:
    for kid in element.get("K") or ():
        if isinstance(kid, int):
            continue
        child = _object(pdf, kid)
        if isinstance(child, pydyf.Dictionary) and child.get("Type") == "/StructElem":
            yield child
            yield from _descendants(pdf, child)


def _number(reference: Any) -> int:
    text = reference.decode() if isinstance(reference, bytes) else str(reference)
    return int(text.split()[0])


def _object(pdf: pydyf.PDF, reference: Any) -> Any:
    return pdf.objects[_number(reference)]
