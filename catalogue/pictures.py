"""Item pictures: what we accept (JPEG, PNG, WebP up to 5 MB) and the list thumbnail."""

import io
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PICTURE_BYTES = 5 * 1024 * 1024
# A 5 MB file can still decode to a huge bitmap (a "decompression bomb"): cap the pixels.
MAX_PICTURE_PIXELS = 40_000_000
ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
THUMBNAIL_SIZE = (400, 400)


def validate_picture(file) -> None:
    """Refuse anything but a real JPEG/PNG/WebP of at most 5 MB (the content is checked, not the name)."""
    if file.size > MAX_PICTURE_BYTES:
        raise ValidationError("The picture is larger than 5 MB.", code="file_too_large")
    try:
        file.seek(0)
        with Image.open(file) as image:
            image_format = image.format
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError("Upload a JPEG, PNG or WebP picture.", code="invalid_image") from exc
    finally:
        file.seek(0)
    if image_format not in ALLOWED_FORMATS:
        raise ValidationError("Upload a JPEG, PNG or WebP picture.", code="invalid_image")
    if width * height > MAX_PICTURE_PIXELS:
        raise ValidationError("The picture has too many pixels (40 megapixels at most).", code="too_many_pixels")


def prepare_picture(file) -> tuple[ContentFile, ContentFile]:
    """The stored original (renamed, content unchanged) and a thumbnail of at most 400 px, as JPEG."""
    file.seek(0)
    data = file.read()
    with Image.open(io.BytesIO(data)) as image:
        extension = ALLOWED_FORMATS[image.format]
        thumb = ImageOps.exif_transpose(image)
        thumb.thumbnail(THUMBNAIL_SIZE)
        if thumb.mode not in ("RGB", "L"):
            thumb = thumb.convert("RGB")
        out = io.BytesIO()
        thumb.save(out, format="JPEG", quality=82, optimize=True)
    # A fresh random name: the client's filename is never trusted nor shown.
    stem = uuid.uuid4().hex
    return ContentFile(data, name=f"{stem}.{extension}"), ContentFile(out.getvalue(), name=f"{stem}.jpg")
