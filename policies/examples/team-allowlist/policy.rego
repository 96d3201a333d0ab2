# Per-team allow-lists: a user's team (from auth groups) decides which cluster groups it may use.
# A client may ask for a group with the header / startup parameter x-queryflux-group; asking for
# one the team may not use is refused. Without a request, the team's default group is used.
package queryflux.routing

import rego.v1

teams contains t if {
	some t in input.groups_of_user
	data.teams[t]
}

allowed contains g if {
	some t in teams
	some g in data.teams[t].groups
}

requested := input.headers["x-queryflux-group"]

decision := {"group": requested, "reason": sprintf("requested group allowed for team %v", [concat(",", sort(teams))])} if {
	requested in allowed
}

decision := {"deny": sprintf("user %v may not use cluster group %v (allowed: %v)", [input.user, requested, concat(", ", sort(allowed))]), "reason": "team allow-list"} if {
	requested
	not requested in allowed
}

decision := {"group": data.teams[t].default, "reason": sprintf("default group of team %v", [t])} if {
	not requested
	t := min(teams)
}

decision := {"deny": sprintf("user %v belongs to no team allowed to query", [input.user]), "reason": "team allow-list"} if {
	count(teams) == 0
	not data.allow_teamless
}
