from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_the_models_and_migrations_agree():
    out = StringIO()
    call_command("makemigrations", "kindstep", check=True, dry_run=True, stdout=out)
