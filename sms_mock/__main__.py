"""`python -m sms_mock` is the `sms-mock` command line."""

import sys

from sms_mock.cli import main

sys.exit(main())
