#!/usr/bin/env python3
"""Checks airfleet-saved-objects.ndjson without a Kibana: every line is a JSON object, every
reference points at an object in the file, the embedded JSON strings parse, and every field a
visualization aggregates (and every time field) is one the sink's index templates map (taken from
collector/sinks/elasticsearch/index_templates.cc, the second argument)."""
import json
import re
import sys
from pathlib import Path

ndjson = Path(sys.argv[1])
templates_cc = Path(sys.argv[2]).read_text()
known_fields = set(re.findall(r'"([a-z_]+)": "', templates_cc))
objects = [json.loads(line) for line in ndjson.read_text().splitlines() if line.strip()]
ids = {(o["type"], o["id"]) for o in objects}
errors = []
for o in objects:
    for ref in o.get("references", []):
        if (ref["type"], ref["id"]) not in ids:
            errors.append(f'{o["id"]}: dangling reference {ref}')
    attrs = o["attributes"]
    for key in ("visState", "panelsJSON", "optionsJSON"):
        if key in attrs:
            json.loads(attrs[key])
    if "kibanaSavedObjectMeta" in attrs:
        json.loads(attrs["kibanaSavedObjectMeta"]["searchSourceJSON"])
    if o["type"] == "visualization":
        for a in json.loads(attrs["visState"])["aggs"]:
            field = a["params"].get("field")
            if field and field.split(".")[-1] not in known_fields:
                errors.append(f'{o["id"]}: unknown field {field}')
    if o["type"] == "index-pattern" and attrs["timeFieldName"] not in known_fields:
        errors.append(f'{o["id"]}: unknown time field {attrs["timeFieldName"]}')
kinds = sorted(o["type"] for o in objects)
if kinds.count("index-pattern") != 5 or kinds.count("dashboard") != 1:
    errors.append(f"unexpected object mix: {kinds}")
for e in errors:
    print(e)
print(f"{len(objects)} objects, {len(errors)} problems")
sys.exit(1 if errors else 0)
