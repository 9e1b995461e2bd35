"""Running the bridge as an operator sees it: metrics, readiness, cloud usage, logs and the API
token. Reads the domain's parts; no business rules and no channel."""
