"""kindstep's settings for the passkey browser test, and one addition.

The browser opens http://localhost:PORT (WebAuthn's secure context without a
certificate) while kindstep believes it is behind an https proxy, so a form's
Origin is the http one: trusted here, in this test's server only.
"""

import os

from kindstep.settings import *  # noqa: F403

CSRF_TRUSTED_ORIGINS = [*CSRF_TRUSTED_ORIGINS, os.environ["KINDSTEP_TEST_BROWSER_ORIGIN"]]  # noqa: F405
