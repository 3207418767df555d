"""Shared machinery: clock, ids, the error type and its body formats, state file, fault registry."""
