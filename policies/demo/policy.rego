# The demo's routing policy (compiled to policy.wasm beside this file by `queryflux policy build
# policies/demo`, so `npm start` needs no OPA). Edit it, rebuild, and the running gateway reloads.
package queryflux.routing

import rego.v1

# 1. Refuse DELETE / UPDATE without WHERE.
decision := {"deny": sprintf("%v without WHERE is not allowed; add a WHERE clause", [upper(input.statement)]), "reason": "unsafe write"} if {
	input.statement in {"delete", "update"}
	# The analysis's own WHERE of the statement (a regex over input.sql would be fooled by
	# `-- where` in a comment or 'where' in a string, and would make every literal a new input).
	input.features.where_clause == 0
}

# 2. ETL jobs (application_name or client tag workload:etl) run on the batch group.
else := {"group": "batch", "reason": "client tag workload:etl"} if {
	"workload:etl" in input.client_tags
}

# 3. When the interactive group is saturated, ad-hoc reads spill to batch.
else := {"group": "batch", "reason": sprintf("interactive group busy (%v running, %v queued)", [g.running, g.queued])} if {
	input.read_only
	g := input.groups.interactive
	g.queued > 0
}
