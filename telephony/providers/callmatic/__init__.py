"""Callmatic: voicebot calls run by a campaign set up in the Callmatic portal."""
