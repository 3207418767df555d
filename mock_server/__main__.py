"""`python -m mock_server` is `sms-mock serve`."""

import sys

from mock_server.server import main

sys.exit(main())
