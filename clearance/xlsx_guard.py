"""An uploaded XLSX looked over before any spreadsheet library opens it.

An XLSX is a zip of XML files. A 310 KB file can unpack to a 300 MB shared string, and XML can declare
entities that expand as they are parsed; a spreadsheet library reads both into memory before any row or cell
limit can apply. So the archive's own directory is checked first (members, methods, unpacked sizes and
ratios; zipfile never unpacks a deflated member past its declared size), then every XML part is streamed
once, bounded, looking for a DOCTYPE: an XLSX never needs one, so any DTD is refused, entities with it."""

from __future__ import annotations

import re
import zipfile
from typing import BinaryIO

MAX_MEMBERS = 1000
MAX_RATIO = 100  # unpacked / packed size of one large part; real sheets stay well below
_RATIO_FROM = 1024 * 1024  # parts smaller than this may compress as well as they like
_CHUNK = 1024 * 1024
# "<!DOCTYPE" or "<!ENTITY", in ASCII-compatible encodings or UTF-16 (either byte order).
_DTD = re.compile(rb"<\x00?!\x00?(?:[dD]\x00?[oO]\x00?[cC]\x00?[tT]\x00?[yY]\x00?[pP]\x00?[eE]"
                  rb"|[eE]\x00?[nN]\x00?[tT]\x00?[iI]\x00?[tT]\x00?[yY])")
_OVERLAP = 32


class UnsafeXlsx(ValueError):
    """The upload is refused; the message is Chinese and says why."""


def check_xlsx(fh: BinaryIO, max_unpacked: int) -> None:
    """Raise UnsafeXlsx unless the archive in fh is safe to hand to a spreadsheet library; fh is left at 0.
    A file that is not a zip at all is left to the library (which says it is not an XLSX)."""
    try:
        archive = zipfile.ZipFile(fh)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError):
        fh.seek(0)
        return
    try:
        _check_members(archive.infolist(), max_unpacked)
        for info in archive.infolist():
            if info.filename.lower().endswith((".xml", ".rels", ".vml")):
                _check_no_dtd(archive, info)
    except UnsafeXlsx:
        raise
    except (zipfile.BadZipFile, EOFError, OSError, RuntimeError, NotImplementedError, ValueError) as exc:
        raise UnsafeXlsx(f"无法读取 XLSX 文件：文件已损坏或已加密（{type(exc).__name__}）") from None
    finally:
        archive.close()
        fh.seek(0)


def _check_members(infos: list[zipfile.ZipInfo], max_unpacked: int) -> None:
    if len(infos) > MAX_MEMBERS:
        raise UnsafeXlsx(f"XLSX 文件内部的部件过多（{len(infos)} 个），不是正常的表格文件")
    megabytes = max_unpacked // (1024 * 1024)
    total = 0
    for info in infos:
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise UnsafeXlsx("XLSX 文件使用了不支持的压缩方式：请在 Excel 中重新保存后再上传")
        if info.flag_bits & 0x1:
            raise UnsafeXlsx("XLSX 文件已加密：请去掉密码后再上传")
        total += info.file_size
        if total > max_unpacked:
            raise UnsafeXlsx(f"XLSX 文件解压后超过上限 {megabytes} MB：请删去无关的工作表和内容，或拆分后分批核查")
        if info.file_size > _RATIO_FROM and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise UnsafeXlsx(f"XLSX 文件的压缩比异常（{info.filename} 解压后 {info.file_size} 字节，压缩后 "
                             f"{info.compress_size} 字节），疑似压缩炸弹，不予读取")


def _check_no_dtd(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    tail = b""
    with archive.open(info) as part:
        while chunk := part.read(_CHUNK):
            if _DTD.search(tail + chunk):
                raise UnsafeXlsx(f"XLSX 文件中含有 XML 文档类型声明或实体（{info.filename}），不予读取："
                                 "请在 Excel 中另存为新的 .xlsx 文件后再上传")
            tail = chunk[-_OVERLAP:]
