"""IVR Solutions: click-to-call, masking, text/flow/voicebot calls, dialers, DIDs, agents."""
