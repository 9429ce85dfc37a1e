"""The API reference as a plain page, rendered on the server from the OpenAPI schema.

Swagger UI and Redoc load their scripts from a CDN, which the site's Content Security Policy
(scripts from 'self' only) blocks, and drf-spectacular-sidecar (their assets served locally) is
not installed: so the endpoints, parameters and schemas are listed here without any script.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from drf_spectacular.generators import SchemaGenerator

from ..access import signed_in

METHODS = ("get", "post", "put", "patch", "delete")
_ENUM_LINE = re.compile(r"^\* `([^`]*)` - (.*)$", re.MULTILINE)


@dataclass
class Field:
    name: str
    type: str
    ref: str = ""
    required: bool = False
    read_only: bool = False
    write_only: bool = False
    description: str = ""


@dataclass
class Response:
    code: str
    description: str
    type: str
    ref: str = ""


@dataclass
class Operation:
    method: str
    path: str
    anchor: str
    summary: str
    description: str
    parameters: list[Field] = field(default_factory=list)
    request: list[Field] = field(default_factory=list)
    responses: list[Response] = field(default_factory=list)


@dataclass
class Component:
    name: str
    description: str
    fields: list[Field] = field(default_factory=list)
    values: list[str] = field(default_factory=list)


def describe(schema: dict[str, Any]) -> tuple[str, str]:
    """A short type label for a schema fragment, and the component it refers to (if any)."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return name, name
    for combined in ("allOf", "oneOf", "anyOf"):
        if combined in schema:
            parts = [describe(s) for s in schema[combined]]
            refs = [ref for _, ref in parts if ref]
            return " or ".join(text for text, _ in parts), refs[0] if refs else ""
    kind = schema.get("type", "object")
    if kind == "array":
        inner, ref = describe(schema.get("items", {}))
        return f"list of {inner}", ref
    text = f"{kind} ({schema['format']})" if "format" in schema else kind
    if "enum" in schema:
        text = "one of " + ", ".join(repr(v) for v in schema["enum"] if v is not None)
    if schema.get("nullable"):
        text += " or null"
    return text, ""


def _fields(schema: dict[str, Any]) -> list[Field]:
    required = set(schema.get("required", []))
    fields = []
    for name, prop in schema.get("properties", {}).items():
        text, ref = describe(prop)
        fields.append(
            Field(
                name=name,
                type=text,
                ref=ref,
                required=name in required,
                read_only=bool(prop.get("readOnly")),
                write_only=bool(prop.get("writeOnly")),
                # A code list's codes are listed with its schema, not again here.
                description=_ENUM_LINE.sub("", prop.get("description", "")).strip(),
            )
        )
    return fields


def reference(schema: dict[str, Any]) -> tuple[list[Operation], list[Component]]:
    operations = []
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            parameters = []
            for param in op.get("parameters", []):
                text, ref = describe(param.get("schema", {}))
                parameters.append(
                    Field(
                        name=f"{param['name']} ({param['in']})",
                        type=text,
                        ref=ref,
                        required=bool(param.get("required")),
                        description=param.get("description", ""),
                    )
                )
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            request = []
            if body:
                text, ref = describe(body.get("schema", {}))
                request.append(Field(name="JSON body", type=text, ref=ref, required=True))
            responses = []
            for code, response in op.get("responses", {}).items():
                content = response.get("content", {}).get("application/json")
                text, ref = describe(content["schema"]) if content else ("no body", "")
                responses.append(Response(code, response.get("description", ""), text, ref))
            operations.append(
                Operation(
                    method=method.upper(),
                    path=path,
                    anchor=op.get("operationId", f"{method}{path}"),
                    summary=op.get("summary", ""),
                    description=op.get("description", ""),
                    parameters=parameters,
                    request=request,
                    responses=responses,
                )
            )
    components = []
    for name, component in sorted(schema.get("components", {}).get("schemas", {}).items()):
        description = component.get("description", "")
        values = [repr(v) for v in component.get("enum", []) if v is not None]
        if values:
            # drf-spectacular describes a code list as "* `code` - Label" lines: show them as
            # code and label, once.
            labelled = [f"{m[1]!r}: {m[2]}" for m in _ENUM_LINE.finditer(description)]
            values, description = labelled or values, _ENUM_LINE.sub("", description).strip()
        components.append(
            Component(name=name, description=description, fields=_fields(component), values=values)
        )
    return operations, components


@signed_in("the API reference, for integrators and staff setting up a partner system")
def api_docs(request: HttpRequest) -> HttpResponse:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations, components = reference(schema)
    return render(
        request,
        "core/api/docs.html",
        {"info": schema.get("info", {}), "operations": operations, "components": components},
    )
