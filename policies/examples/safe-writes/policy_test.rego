package queryflux.routing_test

import rego.v1

import data.queryflux.routing

test_delete_without_where_denied if {
	d := routing.decision with input as {"statement": "delete", "sql": "DELETE FROM orders"}
	startswith(d.deny, "DELETE without WHERE")
}

test_update_without_where_denied if {
	d := routing.decision with input as {"statement": "update", "sql": "update t set a = 1"}
	startswith(d.deny, "UPDATE without WHERE")
}

test_delete_with_where_passes if {
	not routing.decision with input as {"statement": "delete", "sql": "delete from orders\nwhere o_orderkey = 1"}
}

test_select_passes if {
	not routing.decision with input as {"statement": "select", "sql": "select * from t"}
}
