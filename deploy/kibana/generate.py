#!/usr/bin/env python3
"""Writes airfleet-saved-objects.ndjson: Kibana data views for the airfleet-* indices written by the
collector's Elasticsearch sink, five aggregation-based visualizations and one dashboard.

Edit this script, not the ndjson, then run it: `python3 deploy/kibana/generate.py`.
Field names follow collector/sinks/elasticsearch/index_templates.cc. The prefix is the sink's
default `airfleet`; for another prefix pass it: `generate.py myprefix`.
"""
import json
import sys
from pathlib import Path

PREFIX = sys.argv[1] if len(sys.argv) > 1 else "airfleet"
OUT = Path(__file__).with_name("airfleet-saved-objects.ndjson")

DATA_VIEWS = [  # id, title (index pattern), time field
    ("airfleet-windows", f"{PREFIX}-windows-*", "window_start"),
    ("airfleet-probes", f"{PREFIX}-probes-*", "window_start"),
    ("airfleet-devices", f"{PREFIX}-devices-*", "last_seen"),
    ("airfleet-agents", f"{PREFIX}-agents", "last_seen"),
    ("airfleet-events", f"{PREFIX}-events-*", "time"),
]


def data_view(view_id, title, time_field):
    return {"type": "index-pattern", "id": view_id,
            "attributes": {"title": title, "timeFieldName": time_field},
            "references": []}


def xy_params(chart):
    return {
        "type": chart, "addTooltip": True, "addLegend": True, "legendPosition": "right",
        "categoryAxes": [{"id": "CategoryAxis-1", "type": "category", "position": "bottom",
                          "show": True, "labels": {"show": True, "truncate": 100}, "title": {}}],
        "valueAxes": [{"id": "ValueAxis-1", "name": "LeftAxis-1", "type": "value",
                       "position": "left", "show": True, "labels": {"show": True},
                       "scale": {"type": "linear", "mode": "normal"}, "title": {}}],
        "seriesParams": [{"show": True, "type": "line" if chart == "line" else "histogram",
                          "mode": "normal", "data": {"id": "1", "label": ""},
                          "valueAxis": "ValueAxis-1", "drawLinesBetweenPoints": True,
                          "showCircles": True}],
        "times": [], "grid": {"categoryLines": False},
    }


def visualization(vis_id, title, view_id, vis_type, params, aggs):
    vis_state = {"title": title, "type": vis_type, "params": params, "aggs": [
        dict({"id": str(i + 1), "enabled": True}, **agg) for i, agg in enumerate(aggs)]}
    search = {"query": {"query": "", "language": "kuery"}, "filter": [],
              "indexRefName": "kibanaSavedObjectMeta.searchSourceJSON.index"}
    return {"type": "visualization", "id": vis_id,
            "attributes": {"title": title, "description": "", "version": 1, "uiStateJSON": "{}",
                           "visState": json.dumps(vis_state),
                           "kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps(search)}},
            "references": [{"name": "kibanaSavedObjectMeta.searchSourceJSON.index",
                            "type": "index-pattern", "id": view_id}]}


def agg(agg_type, schema, **params):
    return {"type": agg_type, "schema": schema, "params": params}


VISUALIZATIONS = [
    visualization("airfleet-devices-over-time", "Devices over time (distinct MACs)",
                  "airfleet-windows", "line", xy_params("line"),
                  [agg("cardinality", "metric", field="mac"),
                   agg("date_histogram", "segment", field="window_start", interval="auto",
                       min_doc_count=1, extended_bounds={})]),
    visualization("airfleet-signal-distribution", "Signal distribution (window average, dBm)",
                  "airfleet-windows", "histogram", xy_params("histogram"),
                  [agg("count", "metric"),
                   agg("histogram", "segment", field="signal.avg", interval=5,
                       min_doc_count=False, extended_bounds={})]),
    visualization("airfleet-vendors", "Devices by vendor", "airfleet-devices", "pie",
                  {"type": "pie", "addTooltip": True, "addLegend": True,
                   "legendPosition": "right", "isDonut": True},
                  [agg("cardinality", "metric", field="mac"),
                   agg("terms", "segment", field="vendor", size=15, order="desc", orderBy="1",
                       otherBucket=True, missingBucket=True, missingBucketLabel="unknown")]),
    visualization("airfleet-probes-by-ssid", "Probe requests by SSID", "airfleet-probes",
                  "horizontal_bar", xy_params("histogram"),
                  [agg("sum", "metric", field="count"),
                   agg("terms", "segment", field="ssid", size=20, order="desc", orderBy="1")]),
    visualization("airfleet-agent-health", "Agent health", "airfleet-agents", "table",
                  {"perPage": 20, "showPartialRows": False, "showMetricsAtAllLevels": False},
                  [agg("max", "metric", field="last_seen"),
                   agg("max", "metric", field="health.spool_batches"),
                   agg("max", "metric", field="health.dropped_kernel"),
                   agg("max", "metric", field="health.lost_summaries"),
                   agg("terms", "bucket", field="agent_id", size=100, order="asc",
                       orderBy="_key")]),
]


def dashboard():
    panels, refs = [], []
    for i, vis in enumerate(VISUALIZATIONS):
        panels.append({"panelIndex": str(i + 1), "panelRefName": f"panel_{i}",
                       "embeddableConfig": {}, "version": "7.10.0",
                       "gridData": {"x": (i % 2) * 24, "y": (i // 2) * 15, "w": 24, "h": 15,
                                    "i": str(i + 1)}})
        refs.append({"name": f"panel_{i}", "type": "visualization", "id": vis["id"]})
    search = {"query": {"query": "", "language": "kuery"}, "filter": []}
    return {"type": "dashboard", "id": "airfleet-overview",
            "attributes": {"title": "airfleet overview", "description":
                           "Devices, signal, vendors, probed SSIDs and agent health",
                           "panelsJSON": json.dumps(panels), "optionsJSON": json.dumps(
                               {"useMargins": True, "hidePanelTitles": False}),
                           "timeRestore": False, "version": 1,
                           "kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps(search)}},
            "references": refs}


objects = [data_view(*v) for v in DATA_VIEWS] + VISUALIZATIONS + [dashboard()]
OUT.write_text("".join(json.dumps(o, sort_keys=True) + "\n" for o in objects))
print(f"wrote {len(objects)} objects to {OUT}")
