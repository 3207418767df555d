"""Recorded sessions (HAR 1.2) turned into scenarios: `sms-mock record to-scenario`."""
