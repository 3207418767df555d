"""`python -m sms_mock.mock_server` is `sms-mock serve`."""

import sys

from sms_mock.mock_server.serving.command import main

sys.exit(main())
