"""Uploaded pictures, kept in the database so every app process serves them alike."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ideas.db import Base, UTCDateTime, utcnow


class Picture(Base):
    """One upload, re-encoded; its sizes are ``PictureFile`` rows."""

    __tablename__ = "pictures"

    id: Mapped[int] = mapped_column(primary_key=True)
    # A digest of the re-encoded pixels: the same picture uploaded twice is stored once.
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PictureFile(Base):
    """One size of a picture, as served."""

    __tablename__ = "picture_files"
    __table_args__ = (UniqueConstraint("picture_id", "size"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    picture_id: Mapped[int] = mapped_column(ForeignKey("pictures.id", ondelete="CASCADE"))
    size: Mapped[str] = mapped_column(String(16))  # "card", "full"
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(32))
    data: Mapped[bytes] = mapped_column(LargeBinary)
