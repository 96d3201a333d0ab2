package queryflux.routing_test

import rego.v1

import data.queryflux.routing

test_etl_tag_routes_to_batch if {
	d := routing.decision with input as {"client_tags": ["workload:etl"]} with data.batch_group as "batch"
	d.group == "batch"
	d.tags == ["etl"]
}

test_equals_form if {
	d := routing.decision with input as {"client_tags": ["team:x", "workload=etl"]} with data.batch_group as "batch"
	d.group == "batch"
}

test_other_tags_pass if {
	not routing.decision with input as {"client_tags": ["workload:adhoc"]} with data.batch_group as "batch"
}
