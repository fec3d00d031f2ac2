"""The share card drawn when a page has no picture of its own, and the sizes of pictures."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageFont

from ideas.errors import Invalid
from ideas.media import cards, demo_pictures, pictures
from tests.factories.pictures import picture_bytes

TITLE = "How might we make our schoolyards greener, cooler and more welcoming for every child?"


def a_card(title: str = TITLE, **changes: object) -> cards.Card:
    fields: dict[str, object] = {
        "title": title,
        "context": "Greener yards",
        "lines": ("12 ideas", "40 votes"),
        "site": "Ideas",
        **changes,
    }
    return cards.Card(**fields)  # type: ignore[arg-type]


def opened(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


def test_a_card_is_a_png_of_1200_by_630() -> None:
    image = opened(cards.render(a_card()))

    assert image.format == "PNG"
    assert image.size == (1200, 630)


def test_a_title_wraps_within_the_width_and_ends_in_an_ellipsis_when_cut() -> None:
    face = cards.font("bold", 60)

    lines = cards.wrap(" ".join([TITLE] * 4), face, 700, most=3)

    assert len(lines) == 3
    assert all(face.getlength(line) <= 700 for line in lines)
    assert lines[-1].endswith("…")
    assert cards.wrap("Short", face, 700, most=3) == ["Short"]


def test_a_word_longer_than_a_line_is_broken_between_letters() -> None:
    face = cards.font("bold", 60)

    lines = cards.wrap("x" * 200, face, 500, most=100)

    assert len(lines) > 1
    assert "".join(lines) == "x" * 200


def test_an_arabic_title_is_drawn_from_the_right() -> None:
    title = "كيف يمكننا أن نجعل ساحات مدارسنا أكثر خضرة وبرودة؟"
    assert cards.direction_of(title) == "rtl"
    assert cards.direction_of("« Une idée »") == "ltr"

    image = opened(cards.render(a_card(title, context="ساحات خضراء", lines=("١٢ فكرة",))))

    # The title's band: its white letters end at the right margin, not the left.
    band = image.convert("L").crop((0, 140, 1200, 230))
    columns = band.width
    values = band.tobytes()
    white = [
        x for x in range(columns) if any(values[y * columns + x] > 240 for y in range(0, 90, 3))
    ]
    assert white
    assert max(white) > 1200 - cards.MARGIN - 20
    assert min(white) > cards.MARGIN + 20


def test_without_any_font_file_pillows_own_font_draws_the_card(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        cards, "FONT_FILES", {"bold": ("/nowhere/a.ttf",), "regular": ("/nowhere/b.ttf",)}
    )
    cards.font.cache_clear()
    try:
        face = cards.font("bold", 40)
        assert not (isinstance(face, ImageFont.FreeTypeFont) and "DejaVu" in str(face.path))
        assert opened(cards.render(a_card())).size == (1200, 630)
    finally:
        monkeypatch.undo()
        cards.font.cache_clear()


def test_a_card_is_drawn_once_for_its_words_and_again_when_they_change() -> None:
    kept = cards.CardCache(size=2)

    first = kept.made(a_card())
    again = kept.made(a_card())
    changed = kept.made(a_card(lines=("13 ideas", "40 votes")))

    assert again is first
    assert changed.etag != first.etag
    kept.made(a_card("Another"))
    assert kept.get(a_card().key) is None  # the oldest is forgotten past the size


def test_an_avatar_is_a_square_cut_around_the_middle_without_metadata() -> None:
    tags = Image.Exif()
    tags[0x010F] = "SecretCam"
    out = io.BytesIO()
    Image.new("RGB", (900, 300), (200, 30, 30)).save(out, format="JPEG", exif=tags.tobytes())

    prepared = pictures.prepare_avatar(out.getvalue(), field="picture")

    (avatar,) = prepared.files
    assert (avatar.size, avatar.width, avatar.height) == ("avatar", 192, 192)
    served = opened(avatar.data)
    assert served.format == "WEBP"
    assert b"SecretCam" not in avatar.data


def test_an_avatar_that_is_not_a_picture_is_refused_with_a_message() -> None:
    with pytest.raises(Invalid) as refused:
        pictures.prepare_avatar(b"not a picture at all", field="picture")
    assert "picture" in refused.value.errors


def test_thumbnails_keep_their_shape_within_each_width() -> None:
    prepared = pictures.prepare(picture_bytes((3200, 1200)), field="picture")

    sizes = {f.size: (f.width, f.height) for f in prepared.files}

    assert sizes == {"card": (640, 240), "full": (1600, 600)}


def test_the_path_of_a_picture_is_the_one_its_route_serves() -> None:
    assert pictures.picture_path(7, "avatar") == "/pictures/7/avatar.webp"


def test_demo_pictures_are_drawn_here_the_same_for_the_same_name() -> None:
    cover = opened(demo_pictures.cover_picture("greener-yards"))
    idea = opened(demo_pictures.idea_picture("idea 1"))
    avatar = opened(demo_pictures.avatar_picture("Amara Okafor"))

    assert (cover.size, idea.size, avatar.size) == ((1600, 600), (1200, 900), (256, 256))
    assert demo_pictures.cover_picture("a") == demo_pictures.cover_picture("a")
    assert demo_pictures.cover_picture("a") != demo_pictures.cover_picture("b")
    # Each goes through what an upload goes through.
    assert pictures.prepare_avatar(demo_pictures.avatar_picture("A B"), field="p").files
