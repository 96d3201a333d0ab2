package queryflux.routing_test

import rego.v1

import data.queryflux.routing

quiet := {"interactive": {"running": 0, "queued": 0}}

test_unsafe_delete_denied if {
	d := routing.decision with input as {"statement": "delete", "sql": "delete from orders", "features": {"where_clause": 0}, "client_tags": [], "read_only": false, "groups": quiet}
	startswith(d.deny, "DELETE without WHERE")
}

test_etl_goes_to_batch if {
	d := routing.decision with input as {"statement": "select", "sql": "select 1", "features": {"where_clause": 0}, "client_tags": ["workload:etl"], "read_only": true, "groups": quiet}
	d.group == "batch"
}

test_spill_when_busy if {
	d := routing.decision with input as {"statement": "select", "sql": "select 1", "features": {"where_clause": 0}, "client_tags": [], "read_only": true, "groups": {"interactive": {"running": 8, "queued": 2}}}
	d.group == "batch"
}

test_default_passes if {
	not routing.decision with input as {"statement": "select", "sql": "select 1", "features": {"where_clause": 0}, "client_tags": [], "read_only": true, "groups": quiet}
}
