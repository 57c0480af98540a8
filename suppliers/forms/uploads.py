from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from suppliers.services.uploads import PENDING_UPLOAD_MAX_BYTES

UPLOAD_EXTENSIONS = (".csv", ".xlsx")


class SubmissionUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Submission file (CSV or XLSX)"),
        allow_empty_file=True,  # refused by the import, with the same message as on every other path
        widget=forms.FileInput(attrs={"accept": ",".join(UPLOAD_EXTENSIONS)}),
    )

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(UPLOAD_EXTENSIONS):
            raise forms.ValidationError(_("Upload a CSV file or an Excel workbook (.xlsx)."))
        if upload.size > PENDING_UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)d MB.") % {"mb": PENDING_UPLOAD_MAX_BYTES // 2**20}
            )
        return upload
