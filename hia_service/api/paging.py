"""A flask-smorest Blueprint whose paged lists also answer with an RFC 8288 `Link` header (rel="next",
"prev", "first", "last"), so clients can follow pages without reading X-Pagination's JSON."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import request
from flask_smorest import Blueprint as SmorestBlueprint

from hia_service.addresses import public_url

LINK_HEADER_DOC = {
    "description": 'RFC 8288 links to the other pages: rel="next", "prev", "first" and "last"',
    "schema": {"type": "string"},
}


class Blueprint(SmorestBlueprint):
    def _set_pagination_metadata(self, page_params: Any, result: Any, headers: Any) -> tuple[Any, Any]:
        result, headers = super()._set_pagination_metadata(page_params, result, headers)
        metadata = self._make_pagination_metadata(
            page_params.page, page_params.page_size, page_params.item_count
        )
        wanted = {"next": "next_page", "prev": "previous_page", "first": "first_page", "last": "last_page"}
        links = [
            f'<{_page_url(metadata[key])}>; rel="{rel}"' for rel, key in wanted.items() if key in metadata
        ]
        if links:
            headers["Link"] = ", ".join(links)
        return result, headers

    def _document_pagination_metadata(self, spec: Any, resp_doc: dict[str, Any]) -> None:
        super()._document_pagination_metadata(spec, resp_doc)
        resp_doc.setdefault("headers", {})["Link"] = LINK_HEADER_DOC


def _page_url(page: int) -> str:
    """This request's address with another page number; every other query parameter kept as it was.
    Whole with HIA_BASE_URL, else relative (RFC 8288 allows it): never from the Host header."""
    query = [(key, value) for key, value in request.args.items(multi=True) if key != "page"]
    path = f"{request.script_root}{request.path}?{urlencode([*query, ('page', page)])}"
    return public_url(path) or path
