"""The running service: one process wiring the store, the cloud client, the access core and the
channels, plus what only a running process knows (last lock states, callbacks, readiness)."""
