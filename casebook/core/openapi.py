"""The OpenAPI schema's shared parts, declared once instead of on every view.

Every error of the API is an RFC 9457 problem (``casebook.core.api.problem_exception_handler``);
the postprocessing hook ``problem_responses`` adds the ``Problem`` component and, to each
operation, the error answers it can give, so that the schema names every status code the API
sends (SECURITY.md I2: schemathesis checks the API against it).
"""

from drf_spectacular import openapi


class AutoSchema(openapi.AutoSchema):
    """Request bodies are documented as JSON, the API's one format: nested objects and nulls
    (a subject's person part, a record without a task) have no faithful form encoding."""

    def map_parsers(self):
        return ["application/json"]


PROBLEM_MEDIA_TYPE = "application/problem+json"

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "description": "Invalid input: the messages by field name (or a list of messages).",
            "oneOf": [
                {
                    "type": "object",
                    "additionalProperties": True,
                },
                {"type": "array", "items": {}},
            ],
        },
    },
    "required": ["type", "title", "status"],
}

#: status → (description, when it applies to an operation)
ERRORS = {
    "400": (
        "Invalid input: the body, a query parameter or a filter value (errors by field).",
        lambda op: "requestBody" in op or _parameters(op, "query"),
    ),
    "401": ("No valid token or session.", lambda op: bool(op.get("security"))),
    "403": ("The authenticated user may not do this.", lambda op: bool(op.get("security"))),
    "404": (
        "No such object, or the user may not see it (the two look the same); or no such page.",
        lambda op: _parameters(op, "path") or _parameters(op, "query", "page"),
    ),
    "415": ("The body's media type is not accepted.", lambda op: "requestBody" in op),
}


def _parameters(operation: dict, location: str, name: str | None = None) -> bool:
    return any(
        p.get("in") == location and (name is None or p.get("name") == name)
        for p in operation.get("parameters", ())
    )


def problem_responses(result, generator, request, public):
    """Postprocessing hook: declare the problem-details answers of every operation."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = PROBLEM_SCHEMA
    problem = {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            responses = operation.setdefault("responses", {})
            for code, (description, applies) in ERRORS.items():
                if code not in responses and applies(operation):
                    responses[code] = {"description": description, "content": problem}
            for code, response in responses.items():
                # an error a view declares with its description only, e.g.
                # extend_schema(responses={404: OpenApiResponse(description=...)})
                if code.startswith("4") and not response.get("content"):
                    response["content"] = problem
    return result
