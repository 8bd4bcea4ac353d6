"""Which person an account acts for, and erasing an account with everything in it."""

from __future__ import annotations

from django.db import transaction

from kindstep.store import actions, models


def person_for(user) -> models.Person:
    """The person ``user``'s account opens: made on the first page after signing up, and
    made afresh after an erase (a new person, asked for a country as local mode asks).

    One small read when the person is there (the person, found through the member row).
    """
    from django.db.models import Subquery

    from kindstep.accounts.models import Member

    person = models.Person.objects.filter(pk=Subquery(
        Member.objects.filter(user_id=user.pk).values("person_id")[:1])).first()
    if person is not None:
        return person
    with transaction.atomic():
        member, _ = Member.objects.select_for_update().get_or_create(user=user)
        person = models.Person.objects.filter(pk=member.person_id).first() if member.person_id else None
        if person is None:
            person = models.Person.objects.create(timezone="UTC")
            member.person = person
            member.save(update_fields=["person"])
    return person


def erase_account(user, *, confirm: str) -> dict[str, int]:
    """Erase ``user``'s whole record (the same erase as local mode's) and then the account,
    when ``confirm`` is the erase word; anything else is refused with nothing touched.

    The record goes in one transaction and the account in the next: should the second
    not complete, the record is already gone and the account can simply be deleted again.
    """
    from kindstep.accounts.models import Member

    member = Member.objects.filter(user=user).first()
    person = models.Person.objects.filter(pk=member.person_id).first() if member and \
        member.person_id else None
    if person is None:  # nothing recorded yet: still check the word the same way
        person = models.Person(pk=0)
    erased, _ = actions.erase_all(person, confirm=confirm)
    user.delete()
    return erased


def create_account(email: str, password: str, *, admin: bool = False) -> str:
    """Make an account whose email is already verified (an admin vouches for it); "" when
    made, else one kind line saying why not (the address is taken, the password too weak).

    The password goes through Django's validators, as on the sign-up page.
    """
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model, password_validation
    from django.core.exceptions import ValidationError

    User = get_user_model()
    if EmailAddress.objects.filter(email__iexact=email).exists() or \
            User.objects.filter(email__iexact=email).exists():
        return f"There is already an account for {email}; nothing was changed."
    user = User(username=email[:150], email=email, is_staff=admin, is_superuser=admin)
    try:
        password_validation.validate_password(password, user)
    except ValidationError as err:
        return "That password cannot be used: " + " ".join(err.messages) + " No account was made."
    with transaction.atomic():
        user.set_password(password)
        user.save()
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return ""
