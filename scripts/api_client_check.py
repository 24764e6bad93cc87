"""Use the client openapi-python-client generated from /openapi.json
against the real service (scripts/api-client.sh): every call typed, every
answer parsed into the generated model and checked.

Arguments: the service URL, the demo's output (tokens and example subjects),
the generator's log and the example answer in examples/responses/.
"""

import json
import re
import sys
import time

from client import AuthenticatedClient
from client.api.audit import evaluation, proof
from client.api.scenarios import decide
from client.api.scores import score
from client.models import (
    DecisionBody,
    DecisionResponse,
    DecisionSubject,
    EvaluationResponse,
    InclusionProof,
    ScoringBody,
    ScoringSubject,
    Shown,
    WireContribution,
)

url, serve_out, generate_log, example_answer = sys.argv[1:5]
out = open(serve_out).read()
log = open(generate_log).read()


def fail(message):
    print(f"api-client: FAILED: {message}", file=sys.stderr)
    sys.exit(1)


# The generator typed the operations apps use (it names what it skips).
for path in ["/v1/scores", "/v1/decisions", "/v1/evaluations/{id}", "/v1/evaluations/{id}/proof"]:
    if path in log:
        fail(f"the generator could not type {path}:\n{log}")

token = lambda name: re.search(rf"^\s*{name}=(sht_[0-9a-f]+)", out, re.M).group(1)
app = AuthenticatedClient(base_url=url, token=token("APP"), raise_on_unexpected_status=True)
auditor = AuthenticatedClient(base_url=url, token=token("AUDITOR"), raise_on_unexpected_status=True)


def bodies(route):
    """The JSON bodies of the demo's example curl lines for `route`."""
    return [
        json.loads(m)
        for line in out.splitlines()
        if f"{route} " in line and "consent_required" not in line
        for m in re.findall(r"-d '(\{.*\})'", line)
    ]


def check_white_box(e, what):
    if not isinstance(e, EvaluationResponse):
        fail(f"{what}: the answer is {type(e).__name__}, not EvaluationResponse")
    if not all(isinstance(c, WireContribution) for c in e.contributions):
        fail(f"{what}: contributions are not typed")
    total = round(sum(c.points for c in e.contributions), 2)
    if total != round(e.score, 2):
        fail(f"{what}: the contributions add up to {total}, the score is {e.score}")
    if not e.evaluation_id or not isinstance(e.fuel, int) or not e.reasons:
        fail(f"{what}: evaluation_id, fuel or reasons missing: {e}")


# The document's example answer is a valid EvaluationResponse.
EvaluationResponse.from_dict(json.load(open(example_answer)))

# 1. Score a stored subject, typed request and typed answer.
stored = [b for b in bodies("/v1/scores") if "base" not in b]
if not stored:
    fail("the demo printed no example subject")
first = stored[0]
answer = score.sync(
    client=app,
    body=ScoringBody(model=first["model"], subject=ScoringSubject(id=first["subject"]["id"])),
)
check_white_box(answer, "a stored subject's score")
if answer.data_from != "store":
    fail(f"a stored subject's score says data_from={answer.data_from}")

# 2. Score the caller's own inputs (the README's example request).
inline = ScoringBody.from_dict(json.load(open("examples/requests/ningbo-port.json")))
own = score.sync(client=app, body=inline)
check_white_box(own, "an inline score")
if own.data_from != "caller":
    fail(f"an inline score says data_from={own.data_from}")

# 3. Ask a decision.
asked = bodies("/v1/decisions")
if not asked:
    fail("the demo printed no example decision")
d = decide.sync(
    client=app,
    body=DecisionBody(scenario=asked[0]["scenario"], subject=DecisionSubject(id=asked[0]["subject"]["id"])),
)
if not isinstance(d, DecisionResponse) or not isinstance(d.eligible, bool) or not d.evaluation_id:
    fail(f"the decision is not typed: {d!r}")

# 4. Read the evaluation's record, as the app and as an auditor.
for who, c in [("app", app), ("auditor", auditor)]:
    shown = evaluation.sync(id=answer.evaluation_id, client=c)
    if not isinstance(shown, Shown) or shown.entry.id != answer.evaluation_id:
        fail(f"the record read by the {who} is not typed or not the evaluation's: {shown!r}")
    if shown.record["outcome"]["score"] != answer.score:
        fail(f"the record's score {shown.record['outcome']['score']} is not the answer's {answer.score}")

# 5. Its inclusion proof (503 until the log signs a checkpoint: at most a second).
for _ in range(50):
    r = proof.sync_detailed(id=answer.evaluation_id, client=auditor)
    if r.status_code != 503:
        break
    time.sleep(0.1)
p = r.parsed
if not isinstance(p, InclusionProof) or p.leaf_hash != shown.entry.leaf_hash:
    fail(f"the proof is not typed or not the record's: {r.status_code} {p!r}")

print(
    f"api-client: typed calls ok: score {answer.score} {answer.grade} ({len(answer.contributions)} contributions), "
    f"inline {own.score} {own.grade}, decision {d.scenario} eligible={d.eligible}, record {shown.entry.id}, "
    f"proof under a checkpoint of {p.checkpoint.tree_size} records"
)
