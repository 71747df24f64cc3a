"""OutboundCalls.ai: AI-agent campaigns with recordings, transcripts and credits."""
