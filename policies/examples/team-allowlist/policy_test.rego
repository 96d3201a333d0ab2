package queryflux.routing_test

import rego.v1

import data.queryflux.routing

cfg := {"teams": {"analytics": {"groups": ["a", "b"], "default": "a"}, "finance": {"groups": ["a"], "default": "a"}}, "allow_teamless": false}

test_default_group if {
	d := routing.decision with input as {"user": "u", "groups_of_user": ["finance"], "headers": {}} with data.teams as cfg.teams with data.allow_teamless as cfg.allow_teamless
	d.group == "a"
}

test_requested_allowed if {
	d := routing.decision with input as {"user": "u", "groups_of_user": ["analytics"], "headers": {"x-queryflux-group": "b"}} with data.teams as cfg.teams with data.allow_teamless as cfg.allow_teamless
	d.group == "b"
}

test_requested_denied if {
	d := routing.decision with input as {"user": "u", "groups_of_user": ["finance"], "headers": {"x-queryflux-group": "b"}} with data.teams as cfg.teams with data.allow_teamless as cfg.allow_teamless
	d.deny == "user u may not use cluster group b (allowed: a)"
}

test_teamless_denied if {
	d := routing.decision with input as {"user": "x", "groups_of_user": ["other"], "headers": {}} with data.teams as cfg.teams with data.allow_teamless as cfg.allow_teamless
	contains(d.deny, "no team")
}

test_teamless_allowed_passes if {
	not routing.decision with input as {"user": "x", "groups_of_user": [], "headers": {}} with data.teams as cfg.teams with data.allow_teamless as true
}
