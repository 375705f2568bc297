"""A model field whose column holds ciphertext and whose attribute holds plaintext (D2).

Usage::

    class Person(models.Model):
        data_key = models.ForeignKey("crypto.DataKey", ...)
        id_number = EncryptedTextField(_("ID number"), blank=True)
        id_number_index = models.CharField(max_length=32, db_index=True, blank=True,
                                           editable=False)

        def get_data_key(self) -> DataKey:  # creating the key on first use is the model's job
            ...

The column holds a token of :func:`casebook.crypto.services.encrypt_value` with the context
``"<app_label>.<ModelName>.<field name>"``; reading the attribute decrypts lazily (once per
instance); assigning stores plaintext, which ``pre_save`` encrypts. Empty strings and ``None``
are stored as they are, unencrypted.

Rules and choices:

* Filtering on the field is meaningless (every token differs). Exact lookups go through a blind
  index column (a plain ``CharField(max_length=32, db_index=True)``) that the model's service
  fills with :func:`casebook.crypto.services.blind_index`. To make the mistake loud, the field
  refuses to send anything but a token, ``""`` or ``None`` to the database: ``filter(f="x")``,
  ``update(f="x")`` and ``bulk_update`` raise ``ValueError`` instead of leaking plaintext.
* Destroyed data key: the attribute reads as ``None`` and a warning is logged. Pages and exports
  keep working after a subject's key was shredded (render with ``|default:``); saving such an
  instance leaves the stored token untouched. Tampered ciphertext, by contrast, raises
  :class:`~casebook.crypto.exceptions.DecryptionError` (refused, never shown).
* ``dumpdata`` and ``model_to_dict`` see plaintext (they read the attribute): back up at the
  database level, where the columns hold tokens.
* ``deconstruct`` is ``TextField``'s with this class's path: migrations need nothing more.
"""

import logging
from typing import Any

from django.db import models
from django.db.models.query_utils import DeferredAttribute

from .exceptions import KeyDestroyed
from .services import decrypt_value, encrypt_value, is_token

logger = logging.getLogger(__name__)


class Ciphertext(str):
    """A token as read from the database, not yet decrypted."""

    __slots__ = ()


class EncryptedAttribute(DeferredAttribute):
    """Data descriptor: the instance dict holds the token or new plaintext; reads decrypt."""

    def __get__(self, instance, cls=None):
        if instance is None:
            return self
        value = super().__get__(instance, cls)
        if not isinstance(value, Ciphertext):
            return value
        cache_name = self.field.plaintext_cache_name
        cached = instance.__dict__.get(cache_name)
        if cached is not None and cached[0] == value:
            return cached[1]
        plaintext = self.field.decrypt_token(instance, value)
        instance.__dict__[cache_name] = (value, plaintext)
        return plaintext

    def __set__(self, instance, value) -> None:
        instance.__dict__[self.field.attname] = value


class EncryptedTextField(models.TextField):
    """Text encrypted with the instance's data key (``instance.get_data_key()``)."""

    descriptor_class = EncryptedAttribute

    @property
    def context(self) -> str:
        """The AAD context binding a token to this column."""
        return f"{self.model._meta.app_label}.{self.model.__name__}.{self.name}"

    @property
    def plaintext_cache_name(self) -> str:
        return f"_{self.attname}_plaintext"

    def decrypt_token(self, instance: models.Model, token: str) -> str | None:
        """Plaintext of ``token``, or ``None`` (with a warning) when the data key is destroyed."""
        try:
            return decrypt_value(instance.get_data_key(), str(token), context=self.context)
        except KeyDestroyed:
            logger.warning(
                "%s of %s #%s is unreadable: its data key was destroyed.",
                self.context,
                self.model.__name__,
                instance.pk,
            )
            return None

    def from_db_value(self, value: Any, expression, connection) -> Any:
        return Ciphertext(value) if value else value

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = model_instance.__dict__.get(self.attname)
        if value in (None, "") or isinstance(value, Ciphertext):
            return value
        plaintext = str(value)
        cached = model_instance.__dict__.get(self.plaintext_cache_name)
        if cached is not None and cached[1] == plaintext:
            token = cached[0]  # unchanged since read: keep the stored token
        else:
            token = Ciphertext(
                encrypt_value(model_instance.get_data_key(), plaintext, context=self.context)
            )
        model_instance.__dict__[self.attname] = token
        model_instance.__dict__[self.plaintext_cache_name] = (token, plaintext)
        return token

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value in (None, "") or isinstance(value, Ciphertext) or is_token(value):
            return value
        raise ValueError(
            f"{self.model.__name__}.{self.name} is encrypted: it cannot be filtered on or written "
            "without save(). Look values up through their blind index column."
        )
