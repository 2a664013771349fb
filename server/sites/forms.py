"""The site settings form, shared by the owner pages and the admin: the same checks as every other way in."""

from typing import Any

from django import forms

from server.errors import ParleyError
from server.sites.hours import DAYS, check_business_hours, check_timezone, spans_of, timezone_choices
from server.sites.models import Site
from server.sites.origins import check_allowed_origins
from server.sites.services import check_widget_color

HOURS_HELP = "e.g. 09:00-17:00, or 09:00-12:00, 13:30-18:00; empty when closed."


def _hours_field(day: int) -> str:
    return f"hours_{day}"


def _parse_day(*, day: int, text: str) -> list[dict[str, object]]:
    spans: list[dict[str, object]] = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        start, dash, end = part.partition("-")
        if not dash:
            raise ParleyError("invalid_field", "Write each opening span as 09:00-17:00.")
        spans.append({"day": day, "start": start.strip(), "end": end.strip()})
    return spans


def _day_field(day: int) -> forms.CharField:
    return forms.CharField(
        label=DAYS[day],
        required=False,
        max_length=60,
        help_text=HOURS_HELP if day == 0 else "",
        widget=forms.TextInput(attrs={"placeholder": "Closed", "size": 28}),
    )


class OriginsMixin:
    """Allowed origins held to the rules of server/sites/origins.py."""

    cleaned_data: dict[str, Any]

    def clean_allowed_origins(self) -> str:
        """One normalised origin per line."""
        try:
            origins = check_allowed_origins(origins=self.cleaned_data["allowed_origins"].splitlines())
        except ParleyError as error:
            raise forms.ValidationError(error.message) from error
        return "\n".join(origins)


class NewSiteForm(OriginsMixin, forms.ModelForm[Site]):
    """A new site: its name and origins (the rest starts from the defaults)."""

    class Meta:
        model = Site
        fields = ["name", "allowed_origins"]
        widgets = {"allowed_origins": forms.Textarea(attrs={"rows": 3})}


class SiteForm(OriginsMixin, forms.ModelForm[Site]):
    """A site's name, origins, widget style and text, business hours and identity setting."""

    business_timezone = forms.ChoiceField(
        label="Timezone", choices=[], help_text="The business hours are in this timezone.", initial="UTC"
    )
    hours_0 = _day_field(0)
    hours_1 = _day_field(1)
    hours_2 = _day_field(2)
    hours_3 = _day_field(3)
    hours_4 = _day_field(4)
    hours_5 = _day_field(5)
    hours_6 = _day_field(6)

    class Meta:
        model = Site
        fields = [
            "name",
            "allowed_origins",
            "widget_color",
            "widget_position",
            "widget_launcher_text",
            "widget_greeting",
            "widget_away_message",
            "widget_language",
            "ask_email_first",
            "business_timezone",
            "hours_0",
            "hours_1",
            "hours_2",
            "hours_3",
            "hours_4",
            "hours_5",
            "hours_6",
            "identity_required",
        ]
        labels = {
            "widget_color": "Colour",
            "widget_position": "Position",
            "widget_launcher_text": "Launcher text",
            "widget_greeting": "Greeting",
            "widget_away_message": "Away message",
            "widget_language": "Language",
            "ask_email_first": "Ask for an email before the first message",
            "identity_required": "Refuse identities that are not verified",
        }
        help_texts = {"ask_email_first": "", "widget_color": ""}
        widgets = {
            "allowed_origins": forms.Textarea(attrs={"rows": 3}),
            "widget_color": forms.TextInput(attrs={"type": "color"}),
            "widget_away_message": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        zone_field = self.fields["business_timezone"]
        assert isinstance(zone_field, forms.ChoiceField)
        zone_field.choices = timezone_choices()
        by_day: dict[int, list[str]] = {}
        for span in spans_of(site=self.instance):
            stored = span.as_json()
            by_day.setdefault(span.day, []).append(f"{stored['start']}-{stored['end']}")
        for day in range(7):
            self.initial.setdefault(_hours_field(day), ", ".join(by_day.get(day, [])))

    def hours_fields(self) -> list[forms.BoundField]:
        """The seven days' opening hours, Monday first (for templates that lay them out together)."""
        return [self[_hours_field(day)] for day in range(7)]

    def clean_widget_color(self) -> str:
        """A #rrggbb colour (it goes into the widget's CSS)."""
        try:
            return check_widget_color(color=self.cleaned_data["widget_color"])
        except ParleyError as error:
            raise forms.ValidationError(error.message) from error

    def clean_business_timezone(self) -> str:
        try:
            return check_timezone(name=self.cleaned_data["business_timezone"])
        except ParleyError as error:
            raise forms.ValidationError(error.message) from error

    def clean(self) -> dict[str, Any]:
        """The seven days' spans become the site's business hours (none at all: always open)."""
        cleaned = super().clean() or {}
        spans: list[dict[str, object]] = []
        for day in range(7):
            field = _hours_field(day)
            try:
                spans.extend(_parse_day(day=day, text=cleaned.get(field) or ""))
                check_business_hours(spans=[span for span in spans if span["day"] == day])
            except ParleyError as error:
                self.add_error(field, error.message)
        if not self.errors:
            self.instance.business_hours = check_business_hours(spans=spans)
        return cleaned
