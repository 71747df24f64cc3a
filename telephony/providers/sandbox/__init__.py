"""Sandbox: simulated calls and campaigns, no network, every call life seeded."""
