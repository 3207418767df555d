"""Running the emulator: `sms-mock serve` and `LiveServer`, both under waitress."""
