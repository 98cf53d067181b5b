"""Django's password validators with the app's own messages (#16.11).

Django's rules are kept as they are; only their sentences change, so that the password pages read
wholly in Kazakh, Russian or English (Django's own Kazakh catalogue lacks most of them, and its
similarity message put the user model's field name into the sentence).
"""

from django.contrib.auth import password_validation as django_validators
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class MinimumLengthValidator(django_validators.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return ngettext(
            "This password is too short: it needs at least %(n)s character.",
            "This password is too short: it needs at least %(n)s characters.",
            self.min_length,
        ) % {"n": self.min_length}

    def get_help_text(self) -> str:
        return ngettext(
            "At least %(n)s character.",
            "At least %(n)s characters.",
            self.min_length,
        ) % {"n": self.min_length}


class UserAttributeSimilarityValidator(django_validators.UserAttributeSimilarityValidator):
    def get_error_message(self) -> str:
        return _("This password is too like your login, name or e-mail address.")

    def get_help_text(self) -> str:
        return _("Not like your login, name or e-mail address.")


class CommonPasswordValidator(django_validators.CommonPasswordValidator):
    def get_error_message(self) -> str:
        return _("This password is too common: it is among the first a guesser tries.")

    def get_help_text(self) -> str:
        return _("Not a commonly used password.")


class NumericPasswordValidator(django_validators.NumericPasswordValidator):
    def get_error_message(self) -> str:
        return _("This password is only digits.")

    def get_help_text(self) -> str:
        return _("Not only digits.")
