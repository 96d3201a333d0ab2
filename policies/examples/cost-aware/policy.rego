# Cost-aware routing: the cheapest healthy group whose estimated latency fits the caller's SLA.
# data.slas maps a client source (application_name, X-Trino-Source, ...) to seconds;
# data.default_sla_seconds applies otherwise.
package queryflux.routing

import rego.v1

sla_seconds := data.slas[input.source] if input.source != null

else := data.default_sla_seconds

fits contains g if {
	some g, e in input.estimates
	e.seconds <= sla_seconds
	input.groups[g].healthy_members > 0
}

# Sorting [usd, group] pairs gives one deterministic answer even when prices tie.
cheapest := sort([[input.estimates[g].usd, g] | some g in fits])[0]

decision := {
	"group": cheapest[1],
	"reason": sprintf("cheapest group within the %vs SLA: $%v", [sla_seconds, cheapest[0]]),
} if {
	cheapest
}
