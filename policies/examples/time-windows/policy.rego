# Time-of-day windows: heavy work runs on the batch group outside business hours (UTC) and on
# weekends; during business hours it goes to the business-hours group.
package queryflux.routing

import rego.v1

business_hours if {
	input.now.weekday in {1, 2, 3, 4, 5}
	input.now.hour_utc >= data.business_hours.start
	input.now.hour_utc < data.business_hours.end
}

heavy if input.statement in {"insert", "update", "delete", "ddl"}

heavy if "workload:batch" in input.client_tags

decision := {"group": data.business_hours.group, "reason": sprintf("heavy query during business hours (%v:00 UTC)", [input.now.hour_utc])} if {
	heavy
	business_hours
}

decision := {"group": data.off_hours_group, "reason": "heavy query outside business hours"} if {
	heavy
	not business_hours
}
