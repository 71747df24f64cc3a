"""CallKaro: AI-agent calls that CallKaro schedules, windows and retries itself."""
