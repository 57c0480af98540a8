"""The period page: one row per site, each checked by the same rules as the submission file."""

from collections.abc import Sequence
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from suppliers.line_rules import (
    QUANTITY_FIELDS,
    SERIAL_COLUMNS,
    certificate_ids_parse,
    certificate_serials_parse,
    line_check,
    number_parse,
    quantity_parse,
    share_parse,
    share_text,
)
from suppliers.models import EvidenceFile, Line, Site
from suppliers.serials import SerialRange, serials_text
from suppliers.services.submissions import LineInput
from suppliers.units import EnergyUnit

QUANTITY_COLUMNS = tuple(QUANTITY_FIELDS)  # total_electricity, onsite_renewable, … (the file's column names)
MAX_NUMBER_LENGTH = 40


def _number_input() -> forms.TextInput:
    # Text, not type=number: people type 1,234.5 and full-width digits, which the browser would reject.
    return forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "size": 10})


def _serials_field(label: str, help_text: str) -> forms.CharField:
    """Certificate serials as pasted from a transfer record: long, free text, checked by line_rules."""
    return forms.CharField(
        label=label,
        required=False,
        max_length=200_000,
        help_text=help_text,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


def _quantity_field(label: str) -> forms.CharField:
    return forms.CharField(label=label, required=False, max_length=MAX_NUMBER_LENGTH, widget=_number_input())


class LineForm(forms.Form):
    """One site's row. Field names are the submission file's column names, so that the shared rules
    (suppliers.services.imports) name the field a problem belongs to. Every row may be left blank."""

    site_id = forms.IntegerField(widget=forms.HiddenInput)
    unit = forms.ChoiceField(label=_("Unit"), choices=[("", "—"), *EnergyUnit.choices], required=False)
    total_electricity = _quantity_field(_("Total electricity"))
    onsite_renewable = _quantity_field(_("On-site renewable"))
    green_power_trading = _quantity_field(_("Green power trading"))
    gec = _quantity_field(_("GEC"))
    irec = _quantity_field(_("I-REC"))
    bmw_share_percent = forms.CharField(
        label=_("BMW share (%)"), required=False, max_length=MAX_NUMBER_LENGTH, widget=_number_input()
    )
    certificate_ids = forms.CharField(
        label=_("Certificate batch IDs"),
        required=False,
        max_length=5000,
        help_text=_("Separated by ;"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    gec_serials = _serials_field(
        _("GEC serials"),
        _("Serials and ranges FIRST~LAST, separated by ;, as in the GEC platform's transfer record"),
    )
    irec_serials = _serials_field(
        _("I-REC serials"),
        _("Serials and ranges FIRST~LAST, separated by ;, as on the I-REC redemption statement"),
    )

    def __init__(self, *args: object, sites: dict[int, Site], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.sites = sites
        self.entered: dict[str, str] = {}
        self.is_blank = False
        site = self.site
        if site is not None:
            # The grid shows no label beside each input: each says what it is and for which site.
            for name, field in self.fields.items():
                if name != "site_id":
                    field.widget.attrs["aria-label"] = f"{field.label} · {site.code}"

    @classmethod
    def initial_for(cls, site: Site, line: Line | None) -> dict[str, str | int]:
        """The row as the supplier typed it last time (a line's claims are prefetched)."""
        if line is None:
            return {"site_id": site.pk}
        return {
            "site_id": site.pk,
            "unit": line.entered_unit,
            **line.entered_values,
            "bmw_share_percent": f"{line.bmw_share_percent.normalize():f}",
            "certificate_ids": "; ".join(claim.batch_id for claim in line.certificate_claims.all()),
            **line_serials_text(line),
        }

    @property
    def site(self) -> Site | None:
        """The row's site (from the submitted data once bound), for the page to name it."""
        try:
            return self.sites.get(int(self["site_id"].value()))
        except (TypeError, ValueError):
            return None

    def clean_site_id(self) -> Site:
        site = self.sites.get(self.cleaned_data["site_id"])
        if site is None:
            raise ValidationError(_("This site is not one of your sites; reload the page."))
        return site

    def clean_unit(self) -> str | None:
        return self.cleaned_data["unit"] or None

    def _quantity(self, column: str) -> Decimal | None:
        text = self.cleaned_data[column]
        if not text:
            return None
        self.entered[column] = text
        unit = self.cleaned_data.get("unit")
        try:
            if unit is None:
                number_parse(text)  # the missing unit is the unit field's problem; say what else is wrong
                return None
            return quantity_parse(text, unit)
        except ValueError as error:
            raise ValidationError(capfirst(str(error))) from None

    def clean_total_electricity(self) -> Decimal | None:
        return self._quantity("total_electricity")

    def clean_onsite_renewable(self) -> Decimal | None:
        return self._quantity("onsite_renewable")

    def clean_green_power_trading(self) -> Decimal | None:
        return self._quantity("green_power_trading")

    def clean_gec(self) -> Decimal | None:
        return self._quantity("gec")

    def clean_irec(self) -> Decimal | None:
        return self._quantity("irec")

    def clean_bmw_share_percent(self) -> Decimal | None:
        typed = self.cleaned_data["bmw_share_percent"]
        text = share_text(typed)
        if not typed:
            return None
        self.entered["bmw_share_percent"] = typed
        if not text:
            raise ValidationError(self.fields["bmw_share_percent"].error_messages["required"])
        try:
            return share_parse(text)
        except ValueError as error:
            raise ValidationError(capfirst(str(error))) from None

    def clean_certificate_ids(self) -> list[str]:
        text = self.cleaned_data["certificate_ids"]
        if text:
            self.entered["certificate_ids"] = text
        certificate_ids, problems = certificate_ids_parse(text)
        if problems:
            raise ValidationError([capfirst(problem) for problem in problems])
        return certificate_ids

    def _serials(self, column: str) -> list[SerialRange]:
        text = self.cleaned_data[column]
        if text:
            self.entered[column] = text
        ranges, problems = certificate_serials_parse(text)
        if problems:
            raise ValidationError([capfirst(problem) for problem in problems])
        return ranges

    def clean_gec_serials(self) -> list[SerialRange]:
        return self._serials("gec_serials")

    def clean_irec_serials(self) -> list[SerialRange]:
        return self._serials("irec_serials")

    def clean(self) -> dict:
        cleaned = super().clean()
        # A row with nothing typed (whatever its unit) means: no line for this site.
        self.is_blank = not self.entered and not self.errors
        if self.is_blank:
            return cleaned
        for name in ("unit", "total_electricity", "bmw_share_percent"):
            typed = cleaned.get("unit") if name == "unit" else self.entered.get(name)
            if not typed and not self.has_error(name):
                self.add_error(name, self.fields[name].error_messages["required"])
        # The rules across fields need valid quantities; they are checked even if the share is wrong.
        if any(self.has_error(name) for name in ("unit", *QUANTITY_COLUMNS)):
            return cleaned
        quantities = {field_name: cleaned[column] or Decimal(0) for column, field_name in QUANTITY_FIELDS.items()}
        serials = {column: cleaned.get(column, []) for column in SERIAL_COLUMNS}
        for column, problem in line_check(quantities, cleaned.get("certificate_ids", []), serials):
            if not self.has_error(column):
                self.add_error(column, capfirst(problem))
        return cleaned

    def line_input(self) -> LineInput:
        cleaned = self.cleaned_data
        return LineInput(
            site=cleaned["site_id"],
            unit=cleaned["unit"],
            entered={column: self.entered[column] for column in QUANTITY_COLUMNS if column in self.entered},
            quantities_mwh={
                field_name: cleaned[column] or Decimal(0) for column, field_name in QUANTITY_FIELDS.items()
            },
            bmw_share_percent=cleaned["bmw_share_percent"],
            certificate_ids=cleaned["certificate_ids"],
            serials={column: cleaned[column] for column in SERIAL_COLUMNS},
        )


def line_serials_text(line: Line) -> dict[str, str]:
    """A line's claimed serials as the file's columns hold them (its ranges are prefetched)."""
    ranges: dict[str, list[SerialRange]] = {column: [] for column in SERIAL_COLUMNS}
    for stored in line.certificate_ranges.all():
        column = "gec_serials" if stored.instrument == "gec" else "irec_serials"
        ranges[column].append(SerialRange(stored.stem, stored.width, int(stored.first), int(stored.last)))
    return {column: serials_text(sorted(items)) for column, items in ranges.items() if items}


class BaseLineFormSet(forms.BaseFormSet):
    def __init__(self, *args: object, sites: Sequence[Site], **kwargs: object) -> None:
        self.site_list = list(sites)
        # One row per site, never more, however many forms a tampered request announces.
        self.max_num = self.absolute_max = max(len(self.site_list), 1)
        super().__init__(*args, form_kwargs={"sites": {site.pk: site for site in self.site_list}}, **kwargs)

    def clean(self) -> None:
        if any(self.errors):
            return
        site_ids = [form.cleaned_data["site_id"].pk for form in self.forms]
        if len(site_ids) != len(set(site_ids)):
            raise ValidationError(_("A site appears twice; reload the page."))

    def rows(self) -> list[LineInput]:
        """The non-blank rows, for submission_save_draft."""
        return [form.line_input() for form in self.forms if not form.is_blank]


LineFormSet = forms.formset_factory(LineForm, formset=BaseLineFormSet, extra=0, validate_max=True)


def line_formset(data: dict | None, *, sites: Sequence[Site], lines: Sequence[Line] = ()) -> BaseLineFormSet:
    """The page's rows: bound to the posted data, or filled from the stored lines."""
    if data is not None:
        return LineFormSet(data, sites=sites)
    by_site = {line.site_id: line for line in lines}
    return LineFormSet(sites=sites, initial=[LineForm.initial_for(site, by_site.get(site.pk)) for site in sites])


class SubmissionForm(forms.Form):
    """What travels with the rows: the version the page showed, and the declaration for submitting."""

    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    declaration = forms.BooleanField(
        label=_(
            "I declare that these figures are correct and complete, taken from the electricity bills and "
            "certificates of each site, and that the certificates listed are not claimed for anything else."
        ),
        required=False,
    )

    def __init__(self, *args: object, submitting: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.submitting = submitting

    def clean_declaration(self) -> bool:
        declared = self.cleaned_data["declaration"]
        if self.submitting and not declared:
            raise ValidationError(_("Tick the declaration to submit the figures."))
        return declared


WHOLE_PERIOD = "period"


class EvidenceForm(forms.Form):
    """A file, what it proves (a site's line, or the site for the period before its line is saved,
    or every site of the period) and what kind of document it is."""

    file = forms.FileField(
        label=_("Evidence file"),
        help_text=_("A PDF, a PNG or JPEG image, or an Excel workbook (.xlsx): bills, certificates, contracts."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,.xlsx"}),
    )
    proves = forms.ChoiceField(label=_("It proves"))
    document_type = forms.ChoiceField(label=_("Document type"), choices=[("", "—"), *EvidenceFile.DocumentType.choices])

    def __init__(self, *args: object, sites: Sequence[Site] = (), lines: Sequence[Line] = (), **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        with_line = {line.site_id for line in lines}
        self.sites = {str(site.pk): site for site in sites}
        self.fields["proves"].choices = [
            ("", "—"),
            *(
                (
                    pk,
                    _("The line of %(site)s · %(name)s") % {"site": site.code, "name": site.name}
                    if site.pk in with_line
                    else _("Site %(site)s · %(name)s for the period (no line yet)")
                    % {"site": site.code, "name": site.name},
                )
                for pk, site in self.sites.items()
            ),
            (WHOLE_PERIOD, _("Every site of the period")),
        ]

    def clean_proves(self) -> Site | None:
        """The site whose line (or electricity in the period) the file proves; None for every site."""
        value = self.cleaned_data["proves"]
        return None if value == WHOLE_PERIOD else self.sites[value]
