"""The access rules: rooms, grants, passcode policy, time windows, reconciler and cleanup.

This layer knows no transport: channels call it, and it talks to the store and the cloud.
"""
