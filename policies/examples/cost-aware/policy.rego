# Cost-aware routing: the cheapest healthy group whose estimated latency fits the caller's SLA.
# data.slas maps a client source (application_name, X-Trino-Source, ...) to seconds;
# data.default_sla_seconds applies otherwise.
#
# Confidence handling: an estimate is compared at usd × (1 + data.uncertainty_premium ×
# (1 − confidence)), so a group whose model has seen little (or erred a lot) must be clearly
# cheaper to win; 0 (or no premium in data) compares the plain estimates. Groups without an
# estimate are never chosen here: with no estimates at all the next router decides.
package queryflux.routing

import rego.v1

sla_seconds := data.slas[input.source] if input.source != null

else := data.default_sla_seconds

default premium := 0

premium := data.uncertainty_premium

fits contains g if {
	some g, e in input.estimates
	e.seconds <= sla_seconds
	input.groups[g].healthy_members > 0
}

# Risk-adjusted price of a group's estimate (an estimate without a confidence is trusted).
adjusted(e) := e.usd * (1 + (premium * (1 - object.get(e, "confidence", 1))))

# Sorting [price, group] pairs gives one deterministic answer even when prices tie.
cheapest := sort([[adjusted(input.estimates[g]), g] | some g in fits])[0]

decision := {
	"group": cheapest[1],
	"reason": sprintf("cheapest group within the %vs SLA: $%v (estimate $%v, confidence %v)", [sla_seconds, cheapest[0], input.estimates[cheapest[1]].usd, object.get(input.estimates[cheapest[1]], "confidence", 1)]),
} if {
	cheapest
}
