package queryflux.routing_test

import rego.v1

import data.queryflux.routing

test_delete_without_where_denied if {
	d := routing.decision with input as {"statement": "delete", "sql": "DELETE FROM orders", "features": {"where_clause": 0}}
	startswith(d.deny, "DELETE without WHERE")
}

test_update_without_where_denied if {
	d := routing.decision with input as {"statement": "update", "sql": "update t set a = 1", "features": {"where_clause": 0}}
	startswith(d.deny, "UPDATE without WHERE")
}

test_delete_with_where_passes if {
	not routing.decision with input as {"statement": "delete", "sql": "delete from orders\nwhere o_orderkey = 1", "features": {"where_clause": 1}}
}

test_select_passes if {
	not routing.decision with input as {"statement": "select", "sql": "select * from t", "features": {"where_clause": 0}}
}

test_where_in_a_comment_or_string_does_not_count if {
	d := routing.decision with input as {"statement": "update", "sql": "update t set note = 'where' -- where", "features": {"where_clause": 0}}
	startswith(d.deny, "UPDATE without WHERE")
}
