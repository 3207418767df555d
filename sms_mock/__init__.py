"""Where the emulator and the client meet: the `sms-mock` command line and the pytest plugin."""
