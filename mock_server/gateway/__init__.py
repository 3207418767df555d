"""The emulated API gateway: request ids, the admin token, the journal, HTTP faults, credentials."""
