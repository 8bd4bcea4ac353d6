"""Server mode's sharing by consent: a member shares chosen parts of their record with a
clinician or supporter's account, for as long as they choose, and sees every view.

Local mode never imports this package (it has no accounts). See docs/sharing.md.
"""
