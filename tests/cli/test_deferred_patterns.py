"""marshmallow as the command line loads it: its e-mail validator's patterns are compiled when
first used rather than as it loads (README, "Performance"), and the validator answers as
marshmallow's own; once it is loaded, `re.compile` is its own again (a Regexp validator's
pattern is a compiled one).

Run in a fresh interpreter: in this one marshmallow is loaded already."""

from __future__ import annotations

import subprocess
import sys

CHECK = """
import re
from sms_mock.mock_server.serving import deferred_patterns

real_compile = re.compile
deferred_patterns.import_marshmallow()
assert re.compile is real_compile, "re.compile is given back"
import marshmallow.validate as validate
assert type(validate.Email.DOMAIN_REGEX).__name__ == "DeferredPattern"
assert type(validate.Email.USER_REGEX).__name__ == "DeferredPattern"
assert isinstance(validate.Regexp("a+").regex, re.Pattern)
email = validate.Email()
assert email("someone@example.com") == "someone@example.com"
for bad in ("someone", "some one@example.com", "someone@-example-.com"):
    try:
        email(bad)
    except validate.ValidationError:
        pass
    else:
        raise AssertionError(bad)
assert isinstance(validate.Email.DOMAIN_REGEX.pattern, str)
print("ok")
"""


def test_marshmallow_loads_with_its_email_patterns_deferred_and_they_still_check() -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
