"""The official SDKs, unmodified, against a live emulator."""
