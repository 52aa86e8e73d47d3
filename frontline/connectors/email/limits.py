"""What one parse may cost: the limits on a message's size and shape, and the budget shared by one parse."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from frontline.connectors.email.charsets import UndeclaredCharset

MAX_BODY_CHARS: Final = 1_000_000  # text and HTML each; a longer body is cut here (and a defect says so)
MAX_HEADER_LINES: Final = 5_000  # per header section, continuation lines included
MAX_TOTAL_HEADER_LINES: Final = 20_000  # in one parse, all parts and attached messages together
MAX_HEADER_FIELDS: Final = 1_000  # per header section
MAX_HEADER_VALUE: Final = 65_536  # bytes kept of one header field
MAX_STRUCTURED_VALUE: Final = 16_384  # characters of an address header given to the stdlib parser
MAX_DATE_LENGTH: Final = 200
MAX_REFERENCES: Final = 100  # the newest ones are kept
MAX_DEFECTS: Final = 100
DEPTH_CEILING: Final = 50  # whatever max_depth a caller asks for, recursion stays shallow
MAX_BOUNDARY_LENGTH: Final = 200  # RFC 2046 allows 70; some mailers exceed it a little

# --- the budget shared by one parse -------------------------------------------------------------------------


@dataclass(slots=True)
class Budget:
    max_attachment_bytes: int
    max_parts: int
    max_depth: int
    max_body_chars: int
    parts: int = 0
    header_lines: int = 0
    limit_defects: list[str] = field(default_factory=list)
    #: how 8-bit text that declares no charset is read in this message (charsets.UndeclaredCharset)
    undeclared: UndeclaredCharset | None = None

    def limit(self, defect: str, defects: list[str]) -> None:
        """A limit was hit: say so where it happened and on the top-level message."""
        defects.append(defect)
        if defect not in self.limit_defects:
            self.limit_defects.append(defect)

    def take_part(self, defects: list[str]) -> bool:
        if self.parts >= self.max_parts:
            self.limit(f"more than {self.max_parts} MIME parts; the rest were skipped", defects)
            return False
        self.parts += 1
        return True

    def too_deep(self, defects: list[str]) -> None:
        self.limit(f"MIME parts nested deeper than {self.max_depth} levels were skipped", defects)
