#!/usr/bin/env python3
"""Write N variants of examples/requests/ningbo-port.json as NDJSON.

usage: gen_input.py [N (100000)] [OUT (/tmp/peer-input.ndjson)]

Deterministic (seeded). Varies the subject id, base score 300-1000,
years_in_operation 0-15, annual_revenue 50-20000, customs_violations_3y 0-3,
tax grade A/B/M/C/D, the flags, business type and honours; 1 in 50 subjects
is on a black list.
"""
import json, os, random, sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
out = sys.argv[2] if len(sys.argv) > 2 else "/tmp/peer-input.ndjson"
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "../../examples/requests/ningbo-port.json")) as f:
    template = json.load(f)

rng = random.Random(20261101)
types = ["freight-forwarder", "ship-agent", "warehouse-yard", "customs-broker"]
with open(out, "w") as f:
    for i in range(n):
        r = json.loads(json.dumps(template))
        r["subject"]["id"] = "913302%012dX" % i
        r["base"]["score"] = rng.randint(30000, 100000) / 100
        r["base"]["grade"] = rng.choice("ABCD")
        r["base"]["lists"] = ["black:court-defaulter"] if i % 50 == 49 else (
            ["red:customs-advanced-certified"] if rng.random() < 0.3 else [])
        vals = {
            "business_type": rng.choice(types),
            "years_in_operation": rng.randint(0, 15),
            "registered_capital_10k_cny": rng.randint(10, 5000),
            "tax_credit_grade": rng.choice("ABMCD"),
            "overdue_debts": rng.random() < 0.1,
            "annual_revenue_10k_cny": rng.randint(50, 20000),
            "customs_violations_3y": rng.randint(0, 3),
            "aeo_certified": rng.random() < 0.3,
            "social_insurance_compliant": rng.random() < 0.8,
            "industry_honours": rng.randint(0, 3),
        }
        for ind in r["indicators"]:
            ind["value"] = vals[ind["name"]]
        f.write(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n")
print(f"wrote {n} requests to {out}", file=sys.stderr)
