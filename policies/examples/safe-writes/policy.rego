# Refuse DELETE and UPDATE without a WHERE clause: the classic accidental full-table write.
package queryflux.routing

import rego.v1

unsafe_write if {
	input.statement in {"delete", "update"}
	# The analysis's own WHERE of the statement (a regex over input.sql would be fooled by
	# `-- where` in a comment or 'where' in a string, and would make every literal a new input).
	input.features.where_clause == 0
}

decision := {"deny": sprintf("%v without WHERE is not allowed; add a WHERE clause (WHERE true to mean every row)", [upper(input.statement)]), "reason": "unsafe write"} if unsafe_write
