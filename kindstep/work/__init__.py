"""Background work: the tasks kindstep queues (``tasks``), the periodic jobs the worker runs
(``periodic``), and the worker's loop (``runner``, behind ``kindstep worker``).

Nothing here is imported by a command or a page that does not queue or run work, so
django-tasks costs the daily commands nothing.
"""
