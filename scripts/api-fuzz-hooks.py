"""Schemathesis hooks for scripts/api-fuzz.sh: how to put the service's
non-JSON bodies on the wire (schemathesis knows JSON, text and octet streams;
the API also takes a module as application/wasm and the 1+N data as
application/x-ndjson)."""

import schemathesis

# A module upload is raw bytes, like any octet stream.
schemathesis.serializer.alias("application/wasm", "application/octet-stream")
# NDJSON is text: one JSON value a line.
schemathesis.serializer.alias("application/x-ndjson", "text/plain")
