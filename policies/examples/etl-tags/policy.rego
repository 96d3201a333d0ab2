# ETL jobs declare themselves with a client tag (X-Trino-Client-Tags, PostgreSQL application_name
# or startup options, MySQL connection attributes): workload:etl goes to the batch group.
package queryflux.routing

import rego.v1

etl if "workload:etl" in input.client_tags

etl if "workload=etl" in input.client_tags

decision := {"group": data.batch_group, "reason": "client tag workload:etl", "tags": ["etl"]} if etl
