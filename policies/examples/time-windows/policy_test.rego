package queryflux.routing_test

import rego.v1

import data.queryflux.routing

cfg := {"business_hours": {"start": 8, "end": 18, "group": "day"}, "off_hours_group": "night"}

test_weekday_daytime if {
	d := routing.decision with input as {"statement": "insert", "client_tags": [], "now": {"weekday": 2, "hour_utc": 10}} with data.business_hours as cfg.business_hours with data.off_hours_group as cfg.off_hours_group
	d.group == "day"
}

test_weekday_night if {
	d := routing.decision with input as {"statement": "insert", "client_tags": [], "now": {"weekday": 2, "hour_utc": 22}} with data.business_hours as cfg.business_hours with data.off_hours_group as cfg.off_hours_group
	d.group == "night"
}

test_weekend if {
	d := routing.decision with input as {"statement": "select", "client_tags": ["workload:batch"], "now": {"weekday": 6, "hour_utc": 10}} with data.business_hours as cfg.business_hours with data.off_hours_group as cfg.off_hours_group
	d.group == "night"
}

test_light_query_passes if {
	not routing.decision with input as {"statement": "select", "client_tags": [], "now": {"weekday": 2, "hour_utc": 10}} with data.business_hours as cfg.business_hours with data.off_hours_group as cfg.off_hours_group
}
