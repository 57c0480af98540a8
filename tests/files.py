"""Real, minimal evidence files for tests: the evidence checks read a PDF object by object and
want a PNG to end with its IEND chunk (suppliers/services/evidence_content.py)."""

import io
import struct
import zlib

from pypdf import PdfWriter


def pdf_file(note: str = "an electricity bill") -> bytes:
    """A one-page PDF; `note` (its title) makes files of different notes differ."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": note})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_of_objects(objects: list[bytes]) -> bytes:
    """A PDF written byte by byte from its objects (1 0 obj is the catalog), with a correct
    cross-reference table: for files whose every byte a test chooses."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_file() -> bytes:
    """A 1×1 white PNG."""
    header = _chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
    pixels = _chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff"))
    return b"\x89PNG\r\n\x1a\n" + header + pixels + _chunk(b"IEND", b"")
