"""Schemathesis hooks for scripts/api-fuzz.sh: how to put the service's
non-JSON bodies on the wire (schemathesis knows JSON, text and octet streams;
the API also takes a module as application/wasm and the 1+N data as
application/x-ndjson)."""

import schemathesis

# CPython 3.11 can raise "SystemError: AST constructor recursion depth
# mismatch" when Hypothesis parses the source of one of its own filter
# lambdas to describe it (for a repr only); that failed whole CI runs of the
# fuzzer several times in a row. The description is cosmetic: on that error,
# describe the lambda without its source.
try:
    from hypothesis.internal import lambda_sources as _lambda_sources

    _describe = _lambda_sources.lambda_description

    def _lambda_description(f):
        try:
            return _describe(f)
        except SystemError:
            return "lambda: <source not shown>"

    _lambda_sources.lambda_description = _lambda_description
except (ImportError, AttributeError):
    pass

# A module upload is raw bytes, like any octet stream.
schemathesis.serializer.alias("application/wasm", "application/octet-stream")
# NDJSON is text: one JSON value a line.
schemathesis.serializer.alias("application/x-ndjson", "text/plain")


# The service's documented waits: a 503 with Retry-After whose code is
# `not_checkpointed` (a proof asked for before the log writer's next
# checkpoint, which comes within a second: the stateful phase asks for an
# evaluation's proof the instant it was recorded) or `overloaded`. Any other
# 5xx fails, as schemathesis's own not_a_server_error would.
DOCUMENTED_WAITS = ("not_checkpointed", "overloaded")


def is_documented_wait(status, headers, body):
    """Whether a 5xx answer is one of the documented waits."""
    if status != 503:
        return False
    if not any(name.lower() == "retry-after" for name in headers):
        return False
    try:
        import json

        return json.loads(body)["error"]["code"] in DOCUMENTED_WAITS
    except (ValueError, KeyError, TypeError):
        return False


@schemathesis.check
def no_server_error_but_documented_waits(ctx, response, case):
    """No 5xx answer, but for the documented waits (503 with Retry-After)."""
    if response.status_code < 500:
        return None
    if is_documented_wait(response.status_code, response.headers, response.text):
        return None
    raise AssertionError(
        f"Server error {response.status_code}: {response.text[:300]}"
    )
