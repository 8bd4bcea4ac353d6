"""Quiet peer groups (server mode only): a few members who see each other's week only as
each of them chooses. Local mode never imports this package."""
