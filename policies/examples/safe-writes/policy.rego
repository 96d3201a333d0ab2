# Refuse DELETE and UPDATE without a WHERE clause: the classic accidental full-table write.
package queryflux.routing

import rego.v1

unsafe_write if {
	input.statement in {"delete", "update"}
	not regex.match(`(?is)\bwhere\b`, input.sql)
}

decision := {"deny": sprintf("%v without WHERE is not allowed; add a WHERE clause (WHERE true to mean every row)", [upper(input.statement)]), "reason": "unsafe write"} if unsafe_write
