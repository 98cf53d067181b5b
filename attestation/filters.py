"""LST-3: the search and the eight filters of the streams list, read from the query string."""

from django import forms
from django.utils.translation import gettext_lazy as _

from attestation.selectors import StreamFilterChoices
from core.clock import local_today


def _select(label, *, required=False):
    """A select of primary keys; the optional ones start with "All" (no filter)."""
    return forms.TypedChoiceField(label=label, coerce=int, empty_value=None, required=required)


def _as_int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _first_period(periods):
    """The first academic period of a year: number 1, or the lowest one if the year has no period 1."""
    return next((p for p in periods if p.number == 1), periods[0])


class StreamFilterForm(forms.Form):
    """Always bound to ``request.GET``, so a filtered list is a link to share or bookmark.

    The academic year and period always have a value: when the query string has none, the current
    year and its first period. A period left from another year (the user changed the year) becomes
    the first period of the chosen one. Other unknown values are errors shown next to their field.
    The options come from :func:`attestation.selectors.stream_filter_choices`, so validating and
    rendering the form runs no query of its own.
    """

    q = forms.CharField(
        label=_("Teacher or discipline"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Surname, first name, patronymic or discipline")}
        ),
    )
    technology = _select(_("Training technology"))
    academic_year = _select(_("Academic year"), required=True)
    academic_period = _select(_("Academic period"), required=True)
    study_period = _select(_("Study period"))
    language = _select(_("Language of instruction"))
    specialty = _select(_("Specialty"))
    qualification = _select(_("Qualification"))
    group = _select(_("Group"))

    FILTERS = (
        "technology",
        "academic_year",
        "academic_period",
        "study_period",
        "language",
        "specialty",
        "qualification",
        "group",
    )

    def __init__(self, data, *, choices: StreamFilterChoices, today=None, **kwargs):
        data = data.copy()
        data.pop("page", None)
        year_periods = self._apply_defaults(data, choices, today or local_today())
        super().__init__(data, **kwargs)

        all_ = [("", _("All"))]
        optional = {
            "technology": choices.technologies,
            "study_period": choices.study_periods,
            "language": choices.languages,
            "specialty": choices.specialties,
            "qualification": choices.qualifications,
            "group": choices.groups,
        }
        for name, options in optional.items():
            self.fields[name].choices = all_ + [(o.pk, o.label) for o in options]  # type: ignore[attr-defined]
        self.fields["academic_year"].choices = [(y.pk, y.label) for y in choices.years]  # type: ignore[attr-defined]
        self.fields["academic_period"].choices = [(p.pk, p.label) for p in year_periods]  # type: ignore[attr-defined]
        # Nothing to choose from (an empty college, a year without periods): no value is required.
        self.fields["academic_year"].required = bool(choices.years)
        self.fields["academic_period"].required = bool(year_periods)

    @staticmethod
    def _apply_defaults(data, choices, today):
        """Fill in the default year and period; returns the periods offered for the chosen year."""
        current = choices.current_year(today)
        if not data.get("academic_year") and current:
            data["academic_year"] = str(current.pk)
        year_id = _as_int(data.get("academic_year"))
        if year_id not in {y.pk for y in choices.years}:
            # An unknown year is an error of its own; offer the current year's periods meanwhile.
            year_id = current.pk if current else None
        year_periods = choices.periods_of(year_id)

        period_id = _as_int(data.get("academic_period"))
        stale = period_id in {p.pk for p in choices.periods} and period_id not in {p.pk for p in year_periods}
        if not data.get("academic_period") or stale:
            if year_periods:
                data["academic_period"] = str(_first_period(year_periods).pk)
            else:
                data.pop("academic_period", None)
        return year_periods

    @property
    def filter_fields(self):
        """The selects, in the order of the requirements (LST-3); the search box is rendered apart."""
        return [self[name] for name in self.FILTERS]
