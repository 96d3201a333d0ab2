package queryflux.routing_test

import rego.v1

import data.queryflux.routing

groups := {"duck": {"healthy_members": 1}, "athena": {"healthy_members": 1}, "trino": {"healthy_members": 1}}

estimates := {
	"duck": {"usd": 0.002, "seconds": 4},
	"athena": {"usd": 0.0005, "seconds": 20},
	"trino": {"usd": 0.004, "seconds": 0.5},
}

test_cheapest_within_default_sla if {
	d := routing.decision with input as {"source": null, "estimates": estimates, "groups": groups}
		with data.default_sla_seconds as 10
	d.group == "duck"
}

test_tight_sla_picks_fast_group if {
	d := routing.decision with input as {"source": "dashboard", "estimates": estimates, "groups": groups}
		with data.slas as {"dashboard": 1}
		with data.default_sla_seconds as 10
	d.group == "trino"
}

test_loose_sla_picks_cheapest if {
	d := routing.decision with input as {"source": "nightly-etl", "estimates": estimates, "groups": groups}
		with data.slas as {"nightly-etl": 3600}
		with data.default_sla_seconds as 10
	d.group == "athena"
	contains(d.reason, "3600s SLA")
}

test_unhealthy_group_skipped if {
	g := object.union(groups, {"duck": {"healthy_members": 0}})
	d := routing.decision with input as {"source": null, "estimates": estimates, "groups": g}
		with data.default_sla_seconds as 10
	d.group == "trino"
}

test_no_fit_passes if {
	not routing.decision with input as {"source": null, "estimates": estimates, "groups": groups}
		with data.default_sla_seconds as 0.1
}
