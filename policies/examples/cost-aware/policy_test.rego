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

# Confidence: with a premium, a barely cheaper group the model knows little about loses to a
# well-known one; without a premium (or with equal confidence) the plain estimate wins.
uncertain := {
	"duck": {"usd": 0.0010, "seconds": 1, "confidence": 0.9},
	"athena": {"usd": 0.0009, "seconds": 2, "confidence": 0.2},
}

test_premium_prefers_known_group if {
	d := routing.decision with input as {"source": null, "estimates": uncertain, "groups": groups}
		with data.default_sla_seconds as 10
		with data.uncertainty_premium as 0.5
	d.group == "duck"
	contains(d.reason, "confidence 0.9")
}

test_no_premium_plain_cheapest if {
	d := routing.decision with input as {"source": null, "estimates": uncertain, "groups": groups}
		with data.default_sla_seconds as 10
		with data.uncertainty_premium as 0
	d.group == "athena"
}

test_premium_large_saving_still_wins if {
	est := object.union(uncertain, {"athena": {"usd": 0.0002, "seconds": 2, "confidence": 0.2}})
	d := routing.decision with input as {"source": null, "estimates": est, "groups": groups}
		with data.default_sla_seconds as 10
		with data.uncertainty_premium as 0.5
	d.group == "athena"
}
