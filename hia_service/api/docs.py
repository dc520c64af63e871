"""/api/v1/docs: the API reference as an ordinary page, drawn from the OpenAPI document (no CDN assets)."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, render_template

from hia_service.auth.decorators import public

bp = Blueprint("api_docs_page", __name__, url_prefix="/api/v1")
METHODS = ("get", "post", "put", "patch", "delete")


@bp.get("/docs")
@public
def docs() -> str:
    from hia_service.api import api

    spec = api.spec.to_dict()
    return render_template(
        "api/docs.html",
        title="API reference",
        spec=spec,
        operations=operations(spec),
        json_url="/api/v1/openapi.json",
    )


def operations(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Each endpoint with its parameters, request body fields and responses, $refs resolved."""
    schemas = spec.get("components", {}).get("schemas", {})
    found = []
    for path, item in spec.get("paths", {}).items():
        shared = item.get("parameters", [])
        for method in METHODS:
            if method in item:
                found.append(_operation(path, method, item[method], shared, schemas))
    return found


def _operation(path: str, method: str, op: dict[str, Any], shared: list, schemas: dict) -> dict[str, Any]:
    body: dict[str, dict[str, Any]] = op.get("requestBody", {}).get("content", {})
    media = next(iter(body), None)  # the first media type documented, if any
    content = body[media] if media is not None else {}
    return {
        "id": f"{method}-{path}".replace("/", "-").replace("{", "").replace("}", ""),
        "method": method.upper(),
        "path": path,
        "summary": op.get("summary", ""),
        "description": op.get("description", ""),
        "tag": (op.get("tags") or [""])[0],
        "parameters": [_parameter(p, schemas) for p in shared + op.get("parameters", [])],
        "body_media": media,
        "body": _fields(_resolve(content.get("schema", {}), schemas), schemas),
        "body_example": _example(_resolve(content.get("schema", {}), schemas), schemas),
        "responses": [_response(code, r, schemas) for code, r in op.get("responses", {}).items()],
    }


def _parameter(param: dict[str, Any], schemas: dict) -> dict[str, Any]:
    schema = _resolve(param.get("schema", {}), schemas)
    return {
        "name": param.get("name"),
        "in": param.get("in"),
        "required": param.get("required", False),
        "type": _type(schema),
        "description": param.get("description") or schema.get("description", ""),
    }


def _response(code: str, response: dict[str, Any], schemas: dict) -> dict[str, Any]:
    content = response.get("content", {}).get("application/json", {})
    raw = content.get("schema", {})
    schema = _resolve(raw, schemas)
    return {
        "code": code,
        "description": response.get("description", ""),
        "schema_name": _ref_name(raw.get("items", raw)),
        "fields": _fields(schema, schemas),
        "example": _example(schema, schemas, status=code),
    }


def _resolve(schema: dict[str, Any], schemas: dict) -> dict[str, Any]:
    ref = schema.get("$ref")
    return schemas.get(ref.rsplit("/", 1)[-1], {}) if ref else schema


def _ref_name(schema: dict[str, Any]) -> str:
    return schema.get("$ref", "").rsplit("/", 1)[-1]


def _type(schema: dict[str, Any]) -> str:
    kind = schema.get("type", "object")
    if kind == "array":
        return f"array of {_ref_name(schema.get('items', {})) or _type(schema.get('items', {}))}"
    return kind + (f" ({', '.join(map(str, schema['enum']))})" if "enum" in schema else "")


def _fields(schema: dict[str, Any], schemas: dict) -> list[dict[str, Any]]:
    schema = _resolve(schema.get("items", schema), schemas) if schema.get("type") == "array" else schema
    required = set(schema.get("required", []))
    return [
        {
            "name": name,
            "type": _type(_resolve(prop, schemas)) if "$ref" not in prop else _ref_name(prop),
            "required": name in required,
            "read_only": prop.get("readOnly", False),
            "description": prop.get("description", ""),
        }
        for name, prop in schema.get("properties", {}).items()
    ]


def _example(schema: dict[str, Any], schemas: dict, status: str = "") -> str:
    """A small JSON example from the schema's examples (error responses show their status)."""
    many = schema.get("type") == "array"
    target = _resolve(schema.get("items", {}), schemas) if many else schema
    props = target.get("properties", {})
    if not props:
        return ""
    sample = {k: v["example"] for k, v in props.items() if "example" in v}
    if "status" in props and status.isdigit():
        sample = {"type": "about:blank", "title": "…", "status": int(status), "detail": "…", **sample}
        sample["status"] = int(status)
    if not sample:
        return ""
    return json.dumps([sample] if many else sample, indent=2)
