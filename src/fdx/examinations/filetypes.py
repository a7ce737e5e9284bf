"""Which files may be attached, recognised by their first bytes and checked against their extension."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

BINARY_TYPES = [
    # (magic prefix, content type, allowed extensions)
    (b"%PDF-", "application/pdf", {".pdf"}),
    (b"\x89PNG\r\n\x1a\n", "image/png", {".png"}),
    (b"\xff\xd8\xff", "image/jpeg", {".jpg", ".jpeg"}),
    (b"II*\x00", "image/tiff", {".tif", ".tiff"}),
    (b"MM\x00*", "image/tiff", {".tif", ".tiff"}),
    (b"CDF\x01", "application/x-netcdf", {".cdf", ".nc"}),
    (b"CDF\x02", "application/x-netcdf", {".cdf", ".nc"}),
    (b"\x89HDF\r\n\x1a\n", "application/x-hdf5", {".cdf", ".nc", ".h5"}),
]
TEXT_TYPES = {
    ".msp": "text/plain",
    ".msl": "text/plain",
    ".jdx": "chemical/x-jcamp-dx",
    ".dx": "chemical/x-jcamp-dx",
    ".jcamp": "chemical/x-jcamp-dx",
    ".mgf": "text/plain",
    ".csv": "text/csv",
    ".txt": "text/plain",
    ".mzml": "application/xml",
    ".mzxml": "application/xml",
    ".xml": "application/xml",
}


def check_file_type(name: str, head: bytes) -> str:
    """The content type of an attachment, or a ValidationError saying why the file is refused."""
    extension = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    for magic, content_type, extensions in BINARY_TYPES:
        if head.startswith(magic):
            if extension not in extensions:
                raise ValidationError(
                    {
                        "file": _("%(name)s is a %(type)s file but is named %(extension)s.")
                        % {"name": name, "type": content_type, "extension": extension or "-"}
                    }
                )
            return content_type
    if extension in TEXT_TYPES and b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 4:  # a character cut at the end of the sample is fine
                raise ValidationError({"file": _("%(name)s is not UTF-8 text.") % {"name": name}}) from None
        return TEXT_TYPES[extension]
    raise ValidationError(
        {
            "file": _(
                "%(name)s is not an accepted file: attach PDF, PNG, JPEG or TIFF files, "
                "spectra (MSP, JCAMP-DX, MGF, mzML, mzXML, netCDF) or CSV and text."
            )
            % {"name": name}
        }
    )
