# Dashboard SLA protection: interactive traffic always goes to the low-latency group; ad-hoc
# queries use it only while it has spare capacity, and spill to the overflow group otherwise.
package queryflux.routing

import rego.v1

interactive if input.source in data.interactive_sources

interactive if "priority:interactive" in input.client_tags

fast := input.groups[data.low_latency_group]

# Saturated: every slot taken, or others already waiting.
saturated if fast.running >= fast.max_running

saturated if fast.queued > 0

decision := {"group": data.low_latency_group, "reason": "interactive traffic", "priority": 10} if interactive

decision := {"group": data.low_latency_group, "reason": "ad-hoc query, low-latency group has capacity"} if {
	not interactive
	not saturated
}

decision := {"group": data.spill_group, "reason": sprintf("ad-hoc query spilled: %v running, %v queued on %v", [fast.running, fast.queued, data.low_latency_group])} if {
	not interactive
	saturated
}
