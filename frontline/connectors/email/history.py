"""The text a writer added: quoted history and signatures folded away."""

from __future__ import annotations

import re

# --- quoted history and signatures --------------------------------------------------------------------------

_ATTRIBUTION = re.compile(
    r"^\s*(?:"
    r"On\b.{0,400}\bwrote\s?:"  # English: Gmail, Apple Mail, Thunderbird
    r"|Noong\b.{0,400}\b(?:sumulat|sinulat|isinulat)\b.{0,400}:"  # Tagalog: "Noong ..., isinulat ni ...:"
    r"|Le\b.{0,400}\ba écrit\s?:"
    r"|Am\b.{0,400}\bschrieb\b.{0,200}:"
    r"|El\b.{0,400}\bescribió\s?:"
    r"|.{0,400}(?:写道|寫道)\s*[:：]"  # Chinese: "Maria <...> 于2025年1月6日周一 上午10:00写道："
    r"|.{0,400}書きました\s*[:：]"
    r")\s*$",
    re.IGNORECASE,
)
_ORIGINAL_MESSAGE = re.compile(
    r"^\s*-{2,}\s*(?:Original Message|Original message|Mensaje original|Message d'origine|"
    r"Ursprüngliche Nachricht|Orihinal na mensahe|原始邮件|原始郵件|原始信件)\s*-{2,}\s*$",
    re.IGNORECASE,
)
_HEADER_FROM = re.compile(
    r"^\s*\*?\s*(?:From|发件人|寄件者|寄件人|Von|De|Mula kay|Mula)\s*\*?\s*[:：]", re.IGNORECASE
)
_HEADER_SENT = re.compile(
    r"^\s*\*?\s*(?:Sent|Date|发送时间|發送時間|日期|时间|時間|寄件日期|Gesendet|Envoyé|Enviado|Ipinadala|Petsa)"
    r"\s*\*?\s*[:：]",
    re.IGNORECASE,
)
_FORWARD_MARKER = re.compile(
    r"^\s*(?:-{2,}\s*Forwarded message\s*-{2,}|Begin forwarded message:|-{2,}\s*转发的邮件\s*-{2,}|"
    r"-{2,}\s*Forwarded by .*)\s*$",
    re.IGNORECASE,
)
_UNDERSCORES = re.compile(r"^\s*_{10,}\s*$")
_MOBILE_SIGNATURE = re.compile(
    r"^\s*(?:Sent from my .{1,60}|Sent from (?:Mail|Yahoo Mail|Outlook) for .{1,40}|Get Outlook for .{1,40}|"
    r"Ipinadala mula sa aking .{1,60}|发自我的.{1,30}|从我的.{1,30}发送|寄自我的.{1,30})\s*$",
    re.IGNORECASE,
)


def _attribution_lines(lines: list[str], index: int) -> int:
    """How many lines (0, 1 or 2: Gmail wraps long ones) an "On ... wrote:" attribution takes here."""
    line = lines[index]
    if len(line) > 800:
        return 0
    if _ATTRIBUTION.match(line):
        return 1
    if (
        index + 1 < len(lines)
        and len(lines[index + 1]) <= 400
        and _ATTRIBUTION.match(f"{line} {lines[index + 1]}")
    ):
        return 2
    return 0


def _starts_history(lines: list[str], index: int) -> bool:
    """Outlook's and Chinese clients' quoted-message headers: everything from here on is history."""
    line = lines[index]
    if len(line) > 400:
        return False
    if _ORIGINAL_MESSAGE.match(line):
        return True
    following = lines[index + 1 : index + 4]
    if _UNDERSCORES.match(line):
        return any(_HEADER_FROM.match(f) for f in following[:2])
    return bool(_HEADER_FROM.match(line)) and any(_HEADER_SENT.match(f) for f in following)


def visible_text_of(text: str) -> str:
    """The text the writer added: quoted history and the signature folded away.

    Rules, in order, line by line: a signature separator ("-- ") or an Outlook/Chinese quoted-message
    header ends the new text; a forwarding marker keeps everything after it (a forward is content); an
    attribution ("On ... wrote:") is dropped, and if the next non-blank line is not quoted, it starts
    unmarked history that is dropped to the end; lines starting with ">" are dropped (so inline
    answers between quotes stay). A trailing "Sent from my iPhone" goes too.
    """
    lines = text.split("\n")
    kept: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.rstrip() == "--" or line == "-- ":
            break
        if _FORWARD_MARKER.match(line):
            kept += lines[index:]
            break
        if _starts_history(lines, index):
            break
        span = _attribution_lines(lines, index)
        if span:
            following = index + span
            while following < len(lines) and not lines[following].strip():
                following += 1
            if following < len(lines) and not lines[following].lstrip().startswith(">"):
                break
            index = following
            continue
        if not line.lstrip().startswith(">"):
            kept.append(line)
        index += 1
    while kept and not kept[-1].strip():
        kept.pop()
    if kept and _MOBILE_SIGNATURE.match(kept[-1]):
        kept.pop()
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
