"""Finishing touches to the tagged PDF Typst writes before it is signed; its figures go in (pdf_figures.py).

Typst writes PDF/UA-1 and PDF/A-2a in one file, with its structure tree, artefacts, language and XMP. Two
things it cannot say from the template:
- the names in a facts table (Reference, Status, ...) head their rows. Typst marks row headers only behind
  an experimental switch (pdf.header-cell, "a11y-extras") that its Python binding does not turn on, so the
  first cell of each row of a table without a head row becomes a TH with Scope Row, and the other cells of
  the row name it in their Headers, as Typst does for column headers;
- where the signature space landed, which is only known once the pages are laid out: it goes in the
  keywords (document information and XMP alike, as PDF/A requires).
"""

import io
from collections.abc import Iterator, Mapping

import pikepdf

from .pdf_figures import put_figures

PDF_NAME = pikepdf.Name


def finish(pdf: bytes, *, keywords: str, figures: Mapping[int, bytes] | None = None) -> bytes:
    """pdf with row headers marked, keywords set and figures put in place of their stand-ins
    (pdf_figures.put_figures), saved with file identifiers taken from its content."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        if figures:
            put_figures(document, figures)
        _row_headers(document)
        _keywords(document, keywords)
        out = io.BytesIO()
        document.save(out, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.preserve)
    return out.getvalue()


def _keywords(document: pikepdf.Pdf, keywords: str) -> None:
    document.docinfo[PDF_NAME.Keywords] = keywords
    with document.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
        xmp["pdf:Keywords"] = keywords


def _row_headers(document: pikepdf.Pdf) -> None:
    root = document.Root.get(PDF_NAME.StructTreeRoot)
    if not isinstance(root, pikepdf.Dictionary):
        return
    ids = _id_tree(root)
    count = 0
    for table in _elements(root):
        if table.get(PDF_NAME.S) != PDF_NAME.Table or any(
            kid.get(PDF_NAME.S) == PDF_NAME.THead for kid in _children(table)
        ):
            continue
        for row in _rows(table):
            cells = list(_children(row))
            if len(cells) < 2 or any(cell.get(PDF_NAME.S) != PDF_NAME.TD for cell in cells):
                continue
            count += 1
            identifier = pikepdf.String(f"HIA-row-{count}")
            head = cells[0]
            head[PDF_NAME.S] = PDF_NAME.TH
            head[PDF_NAME.ID] = identifier
            _table_attributes(head)[PDF_NAME.Scope] = PDF_NAME.Row
            ids.append((str(identifier), head))
            for cell in cells[1:]:
                attributes = _table_attributes(cell)
                attributes[PDF_NAME.Headers] = pikepdf.Array(
                    [*attributes.get(PDF_NAME.Headers, []), identifier]
                )
    if count:
        ids.sort(key=lambda entry: entry[0])
        names = pikepdf.Array()
        for name, element in ids:
            names.append(pikepdf.String(name))
            names.append(element)
        root[PDF_NAME.IDTree] = document.make_indirect(pikepdf.Dictionary(Names=names))


def _id_tree(root: pikepdf.Dictionary) -> list[tuple[str, pikepdf.Object]]:
    """The structure IDs Typst gave (its column headers), flattened out of their name tree."""
    found: list[tuple[str, pikepdf.Object]] = []

    def walk(node: pikepdf.Object) -> None:
        names = node.get(PDF_NAME.Names)
        if names is not None:
            found.extend((str(names[i]), names[i + 1]) for i in range(0, len(names), 2))
        for kid in node.get(PDF_NAME.Kids) or ():
            walk(kid)

    tree = root.get(PDF_NAME.IDTree)
    if tree is not None:
        walk(tree)
    return found


def _table_attributes(cell: pikepdf.Dictionary) -> pikepdf.Dictionary:
    """The cell's attribute dictionary owned by Table, made when missing."""
    attributes = cell.get(PDF_NAME.A)
    listed = [attributes] if isinstance(attributes, pikepdf.Dictionary) else list(attributes or [])
    for item in listed:
        if isinstance(item, pikepdf.Dictionary) and item.get(PDF_NAME.O) == PDF_NAME.Table:
            return item
    table = pikepdf.Dictionary(O=PDF_NAME.Table)
    cell[PDF_NAME.A] = pikepdf.Array([*listed, table])
    return table


def _rows(table: pikepdf.Dictionary) -> Iterator[pikepdf.Dictionary]:
    for kid in _children(table):
        if kid.get(PDF_NAME.S) == PDF_NAME.TR:
            yield kid
        elif kid.get(PDF_NAME.S) in (PDF_NAME.TBody, PDF_NAME.TFoot):
            yield from (row for row in _children(kid) if row.get(PDF_NAME.S) == PDF_NAME.TR)


def _children(element: pikepdf.Dictionary) -> Iterator[pikepdf.Dictionary]:
    kids = element.get(PDF_NAME.K)
    if kids is None:
        return
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if (
            isinstance(kid, pikepdf.Dictionary)
            and PDF_NAME.S in kid
            and kid.get(PDF_NAME.Type) != PDF_NAME.MCR
        ):
            yield kid


def _elements(element: pikepdf.Dictionary) -> Iterator[pikepdf.Dictionary]:
    for kid in _children(element):
        yield kid
        yield from _elements(kid)
