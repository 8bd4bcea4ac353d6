"""Web push: kindstep's VAPID key, and sending one message to one subscription.

The VAPID key pair (RFC 8292) identifies this kindstep to browsers' push
services. kindstep makes it on first use and keeps it: in local mode as
``vapid_private.pem`` in the data folder (readable by its owner only), in
server mode in the database (``VapidKey``), so every app server signs with
the same key. Losing it only means browsers subscribe again.

Messages are encrypted for the browser (RFC 8291, ``aes128gcm``) by
pywebpush; the push service sees only ciphertext. A 404 or 410 from a
push service means the subscription is gone, and kindstep forgets it.
"""

from __future__ import annotations

import base64
import json
import os

from kindstep.store import models

GONE = frozenset({404, 410})
"""A push service's answers meaning the subscription no longer exists (RFC 8030 7.3)."""

TIMEOUT_SECONDS = 10


def _from_pem(pem: bytes):
    from py_vapid import Vapid02

    return Vapid02.from_pem(pem)


def _new_pem() -> bytes:
    from cryptography.hazmat.primitives import serialization
    from py_vapid import Vapid02

    key = Vapid02()
    key.generate_keys()
    return key.private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption())


def vapid_key():
    """kindstep's VAPID key (a ``py_vapid.Vapid02``), made and kept on first use."""
    from django.conf import settings

    if settings.MODE == "server":
        row = models.VapidKey.objects.order_by("pk").first()
        if row is None:
            models.VapidKey.objects.get_or_create(pk=1, defaults={
                "private_pem": _new_pem().decode()})
            row = models.VapidKey.objects.order_by("pk").first()
        return _from_pem(row.private_pem.encode())
    path = settings.DATA_DIR / "vapid_private.pem"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Created with the owner's permissions only; O_EXCL so two processes never both write.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as out:
                out.write(_new_pem())
    return _from_pem(path.read_bytes())


def application_server_key() -> str:
    """The VAPID public key as the Push API's ``applicationServerKey`` (base64url, no padding)."""
    from cryptography.hazmat.primitives import serialization

    raw = vapid_key().public_key.public_bytes(serialization.Encoding.X962,
                                              serialization.PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _contact() -> str:
    """The ``sub`` claim push services may use to reach whoever runs this kindstep."""
    from django.conf import settings

    origin = getattr(settings, "ORIGIN", "")
    return origin if origin.startswith("https://") else "mailto:kindstep@localhost"


def send(subscription: models.PushSubscription, body: str, *, url: str = "/") -> bool:
    """Send ``body`` to one subscription; True when the push service took it.

    A subscription the push service says is gone (404, 410) is forgotten. Tapping the
    notification opens ``url`` (Today), by ``static/kindstep/sw-push.js``.
    """
    from pywebpush import WebPushException, webpush

    payload = json.dumps({"title": "kindstep", "body": body, "url": url})
    try:
        webpush({"endpoint": subscription.endpoint,
                 "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth}},
                data=payload, vapid_private_key=vapid_key(),
                vapid_claims={"sub": _contact()}, timeout=TIMEOUT_SECONDS, ttl=3600)
    except WebPushException as err:
        status = getattr(err.response, "status_code", None)
        if status in GONE:
            from kindstep.store import actions

            actions.remove_push_subscription(subscription.endpoint)
        return False
    except OSError:  # the push service could not be reached; the next slot tries again
        return False
    return True
