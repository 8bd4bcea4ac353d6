"""Server mode's accounts: django-allauth's sign-in, each account linked to its own person.

Installed only when ``KINDSTEP_MODE=server`` (``server_settings.py``): local mode
has one implicit person and never loads Django's auth machinery.
"""
