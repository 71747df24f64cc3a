"""Robotalker: TTS calls with DTMF actions, broadcast campaigns, SMS and opt-outs."""
