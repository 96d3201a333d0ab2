package queryflux.routing_test

import rego.v1

import data.queryflux.routing

cfg := {"interactive_sources": ["grafana"], "low_latency_group": "fast", "spill_group": "batch"}

idle := {"fast": {"running": 1, "queued": 0, "max_running": 4}}

full := {"fast": {"running": 4, "queued": 0, "max_running": 4}}

waiting := {"fast": {"running": 2, "queued": 3, "max_running": 4}}

test_dashboard_always_fast if {
	d := routing.decision with input as {"source": "grafana", "client_tags": [], "groups": full} with data.interactive_sources as cfg.interactive_sources with data.low_latency_group as cfg.low_latency_group with data.spill_group as cfg.spill_group
	d.group == "fast"
	d.priority == 10
}

test_tagged_interactive_fast if {
	d := routing.decision with input as {"source": null, "client_tags": ["priority:interactive"], "groups": full} with data.interactive_sources as cfg.interactive_sources with data.low_latency_group as cfg.low_latency_group with data.spill_group as cfg.spill_group
	d.group == "fast"
}

test_adhoc_uses_spare_capacity if {
	d := routing.decision with input as {"source": "psql", "client_tags": [], "groups": idle} with data.interactive_sources as cfg.interactive_sources with data.low_latency_group as cfg.low_latency_group with data.spill_group as cfg.spill_group
	d.group == "fast"
}

test_adhoc_spills_when_full if {
	d := routing.decision with input as {"source": "psql", "client_tags": [], "groups": full} with data.interactive_sources as cfg.interactive_sources with data.low_latency_group as cfg.low_latency_group with data.spill_group as cfg.spill_group
	d.group == "batch"
	contains(d.reason, "4 running")
}

test_adhoc_spills_when_queue_forms if {
	d := routing.decision with input as {"source": "psql", "client_tags": [], "groups": waiting} with data.interactive_sources as cfg.interactive_sources with data.low_latency_group as cfg.low_latency_group with data.spill_group as cfg.spill_group
	d.group == "batch"
}
