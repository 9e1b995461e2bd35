"""ttlock-bridge: TTLock smart locks under the control of building automation."""

__version__ = "0.1.0"
