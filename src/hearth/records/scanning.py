"""The virus-scanning hook, and what a file is (from its content, not its name).

`settings.HEARTH_DOCUMENT_SCANNER` names a callable `scan(file) -> ScanResult`. It gets the
uploaded file positioned at its start and returns `clean`, `infected` (the upload is refused and
nothing is kept), `error` (kept, not downloadable) or `pending` (an asynchronous scanner that
reports later through `services.document_version_scan_record`). The default, `no_scanner`, marks
every file clean and logs that no scanner is configured: a real deployment points the setting at
its scanner (ClamAV through clamd, a cloud scanning API...).
"""

from __future__ import annotations

import codecs
import io
import logging
import zipfile
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.utils.module_loading import import_string

from .codes import ScanStatus

logger = logging.getLogger(__name__)

DEFAULT_SCANNER = "hearth.records.scanning.no_scanner"
SNIFF_BYTES = 8192


@dataclass(frozen=True)
class ScanResult:
    status: str  # a ScanStatus value
    detail: str = ""


def no_scanner(file: IO[bytes]) -> ScanResult:
    """The default hook: no scanner is configured, so every file passes (and it is logged)."""
    logger.warning("No virus scanner is configured (HEARTH_DOCUMENT_SCANNER): file not scanned")
    return ScanResult(ScanStatus.CLEAN, "No scanner configured")


# The EICAR anti-virus test file: harmless, and recognised by every scanner as a virus.
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def eicar_only(file: IO[bytes]) -> ScanResult:
    """A stand-in scanner for tests and demonstrations: the EICAR test file is infected, anything
    else clean. Not protection against anything real."""
    content = file.read()
    if EICAR in content:
        return ScanResult(ScanStatus.INFECTED, "Eicar-Test-Signature")
    return ScanResult(ScanStatus.CLEAN, "Checked for the EICAR test signature only")


def scanner() -> Any:
    return import_string(getattr(settings, "HEARTH_DOCUMENT_SCANNER", "") or DEFAULT_SCANNER)


def scan(file: IO[bytes]) -> ScanResult:
    """Run the configured scanner; a scanner that fails is an `error`, never a pass."""
    file.seek(0)
    try:
        result = scanner()(file)
    except Exception as exc:  # a broken scanner must not let files through unchecked
        logger.exception("The virus scanner failed")
        result = ScanResult(ScanStatus.ERROR, f"The scanner failed: {type(exc).__name__}")
    finally:
        file.seek(0)
    if result.status not in ScanStatus.values:
        return ScanResult(ScanStatus.ERROR, f"The scanner gave an unknown status {result.status!r}")
    return result


# --- what a file is ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileType:
    content_type: str
    label: str  # how people know it
    extensions: tuple[str, ...]  # the names it may have (the first is the one stored)


PDF = FileType("application/pdf", "PDF", (".pdf",))
PNG = FileType("image/png", "PNG image", (".png",))
JPEG = FileType("image/jpeg", "JPEG image", (".jpg", ".jpeg", ".jpe"))
GIF = FileType("image/gif", "GIF image", (".gif",))
DOCX = FileType(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "Word document (.docx)",
    (".docx",),
)
XLSX = FileType(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "Excel spreadsheet (.xlsx)",
    (".xlsx",),
)
ODT = FileType("application/vnd.oasis.opendocument.text", "OpenDocument text (.odt)", (".odt",))
TEXT = FileType("text/plain", "plain text", (".txt", ".text", ".csv", ".log", ".md", ""))
ZIP = FileType("application/zip", "ZIP archive", (".zip",))
EXECUTABLE = FileType("application/x-msdownload", "program", (".exe", ".dll"))
OLE = FileType("application/x-ole-storage", "older Office file (.doc or .xls)", (".doc", ".xls"))
MACRO_OFFICE = FileType(
    "application/vnd.ms-office.macroEnabled", "Office file with macros", (".docm", ".xlsm")
)

KNOWN = {t.content_type: t for t in (PDF, PNG, JPEG, GIF, DOCX, XLSX, ODT, TEXT)}
DEFAULT_ALLOWED = [PDF, PNG, JPEG, DOCX, XLSX, ODT, TEXT]


def _zip_type(file: IO[bytes]) -> FileType:
    """DOCX, XLSX and ODT are ZIP files: tell them apart by their parts (names only, nothing is
    decompressed except the small `mimetype` entry of an OpenDocument file)."""
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            if any(n.endswith("vbaProject.bin") for n in names):
                return MACRO_OFFICE
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return DOCX
            if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
                return XLSX
            if (
                "mimetype" in names
                and archive.getinfo("mimetype").file_size < 100
                and archive.read("mimetype").strip() == ODT.content_type.encode()
            ):
                return ODT
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError):
        pass
    return ZIP


def _is_text(sample: bytes) -> bool:
    if b"\x00" in sample:
        return False
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return True
    except UnicodeDecodeError:
        pass
    # Windows text (cp1252): printable bytes, tabs and line ends only.
    controls = set(range(32)) - {9, 10, 12, 13}
    return not any(b in controls for b in sample)


def detect(file: IO[bytes]) -> FileType | None:
    """What the file is from its first bytes (and, for ZIP-based formats, its parts); None when
    it is not a kind we know."""
    file.seek(0)
    head = file.read(SNIFF_BYTES)
    file.seek(0)
    found: FileType | None = None
    if head.startswith(b"%PDF-"):
        found = PDF
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        found = PNG
    elif head.startswith(b"\xff\xd8\xff"):
        found = JPEG
    elif head.startswith((b"GIF87a", b"GIF89a")):
        found = GIF
    elif head.startswith(b"PK\x03\x04"):
        found = _zip_type(file if file.seekable() else io.BytesIO(file.read()))
    elif head.startswith(b"MZ"):
        found = EXECUTABLE
    elif head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        found = OLE
    elif head and _is_text(head):
        found = TEXT
    file.seek(0)
    return found


def allowed_types() -> list[FileType]:
    """The types the council accepts (`HEARTH_DOCUMENT_ALLOWED_TYPES`, content types)."""
    configured = getattr(settings, "HEARTH_DOCUMENT_ALLOWED_TYPES", None)
    if not configured:
        return list(DEFAULT_ALLOWED)
    return [KNOWN[c] for c in configured if c in KNOWN]


def max_size() -> int:
    return int(getattr(settings, "HEARTH_DOCUMENT_MAX_BYTES", 20 * 1024 * 1024))


def describe_size(size: int) -> str:
    if size >= 1024 * 1024:
        megabytes = size / (1024 * 1024)
        return f"{megabytes:.0f} MB" if megabytes == int(megabytes) else f"{megabytes:.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} bytes"


def allowed_labels() -> str:
    labels = [t.label for t in allowed_types()]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " or " + labels[-1]
