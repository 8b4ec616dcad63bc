"""Text files as students and teachers save them: UTF-8, UTF-8 with a BOM (Notepad, WPS,
Excel's "CSV UTF-8"), GBK/GB18030 (Notepad's "ANSI" and Excel on a Chinese Windows).

One rule for every reader of such files (`check`, the grader's banks)."""
from __future__ import annotations

from typing import Tuple

UTF8 = "UTF-8"
UTF8_BOM = "UTF-8（带 BOM）"
GBK = "GBK"
UTF16 = "UTF-16"


def decode(data: bytes) -> Tuple[str, str]:
    """(text, encoding name) of a file's bytes.

    Raises the UTF-8 UnicodeDecodeError when the bytes are neither: mostly valid UTF-8
    with some broken bytes (a damaged file, not a GBK one) or not text GB18030 reads.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), UTF16
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), UTF8_BOM
    try:
        return data.decode("utf-8"), UTF8
    except UnicodeDecodeError as exc:
        failure = exc
    lenient = data.decode("utf-8", errors="replace")
    broken = lenient.count("\ufffd")
    readable = sum(1 for c in lenient if ord(c) > 127) - broken
    if readable > broken:  # UTF-8 with damaged bytes: GB18030 would only make it worse
        raise failure
    try:
        return data.decode("gb18030"), GBK
    except UnicodeDecodeError:
        raise failure from None
