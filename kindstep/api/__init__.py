"""Server mode's REST API (django-ninja) and the personal access tokens it is opened with.

Imported only in server mode: local mode has one person on loopback and no API.
"""
