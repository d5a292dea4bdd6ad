"""Small but real files of every accepted type, built in memory, for upload tests.

No office suite or image library is needed: OOXML documents are zips with the parts a reader looks for, the PNG
is a valid 1x1 image (signature, IHDR, IDAT, IEND with their CRCs), the JPEG a known 125-byte baseline image.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

JPEG = bytes.fromhex(
    "ffd8ffdb004300030202020203020202030303030406040404040408060605060908"
    "0a0a090809090a0c0f0c0a0b0e0b09090d110d0e0f101011100a0c12131210130f10"
    "1010ffc9000b080001000101011100ffcc000600101005ffda0008010100003f00d2"
    "cf20ffd9"
)

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/></Types>'
)
_MAIN_PART = {
    "docx": ("word/document.xml", "<w:document xmlns:w='urn:w'><w:body/></w:document>"),
    "pptx": ("ppt/presentation.xml", "<p:presentation xmlns:p='urn:p'/>"),
    "xlsx": ("xl/workbook.xml", "<workbook xmlns='urn:x'/>"),
}


def ooxml(kind: str) -> bytes:
    """A minimal Office Open XML package of ``kind`` (docx, pptx or xlsx)."""
    part, xml = _MAIN_PART[kind]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        # a fixed date: the same bytes in every process (pytest-xdist compares the test ids they make)
        for name, data in (("[Content_Types].xml", _CONTENT_TYPES), (part, xml)):
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1x1, 8-bit RGB
    pixels = zlib.compress(b"\x00\xff\x00\x00")  # filter byte, one red pixel
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


CONTENT = {
    "pdf": PDF,
    "docx": ooxml("docx"),
    "pptx": ooxml("pptx"),
    "xlsx": ooxml("xlsx"),
    "png": png(),
    "jpeg": JPEG,
}


def upload(name: str = "deck.pdf", content: bytes = PDF, content_type: str = "application/octet-stream"):
    """A file as the browser sends it; the declared content type is deliberately not trusted by the portal."""
    return SimpleUploadedFile(name, content, content_type=content_type)
