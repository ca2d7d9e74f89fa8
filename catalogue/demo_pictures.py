"""Pictures for the demo listings, drawn with Pillow when the demo loads (issue 15 part 7).

One small still life per subcategory (a phone, a laptop, a mug, a tent, a guitar...),
in the item's colour on a varied background, with a soft shadow, so a newcomer's first
`make run` shows a shop rather than grey letter tiles. Deterministic for a seed. Nothing
is shipped: no file, no licence to track.
"""

import io
import random
from collections.abc import Callable
from functools import cache

from PIL import Image, ImageDraw, ImageFilter

WIDTH, HEIGHT = 640, 480

COLOURS = {
    "black": (40, 40, 46),
    "white": (238, 236, 230),
    "navy": (34, 52, 102),
    "forest green": (46, 102, 62),
    "grey": (128, 132, 140),
    "red": (196, 48, 52),
    "natural": (205, 176, 130),
    "sand": (222, 196, 150),
    "blue": (52, 112, 196),
    "mustard": (214, 160, 36),
}
BACKGROUNDS = [
    ((250, 240, 228), (236, 214, 196)),
    ((228, 240, 250), (196, 214, 236)),
    ((234, 248, 236), (200, 228, 206)),
    ((248, 234, 244), (228, 202, 222)),
    ((244, 244, 236), (218, 218, 200)),
    ((236, 236, 250), (206, 206, 236)),
]

Draw = Callable[[ImageDraw.ImageDraw, tuple, random.Random], None]


def colour_of(text: str, rng: random.Random) -> str:
    """The first demo colour named in `text` (title or description), else a random one."""
    lowered = text.lower()
    for name in sorted(COLOURS, key=len, reverse=True):
        if name in lowered:
            return name
    return rng.choice(list(COLOURS))


def draw_picture(*, category_slug: str, colour: str, seed: int) -> bytes:
    """A JPEG (640×480) of a thing of the subcategory, in `colour`."""
    rng = random.Random(seed)
    image = _backdrop(rng.randrange(len(BACKGROUNDS))).copy()
    main = COLOURS.get(colour, (120, 120, 120))
    draw = ImageDraw.Draw(image)
    _DRAWERS.get(category_slug, _parcel)(draw, main, rng)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue()


@cache
def _backdrop(index: int) -> Image.Image:
    """A background gradient with the soft shadow the object sits on (made once each)."""
    image = _gradient(*BACKGROUNDS[index])
    shadow = Image.new("L", (WIDTH, HEIGHT), 0)
    ImageDraw.Draw(shadow).ellipse((170, 370, 470, 410), fill=90)
    image.paste((0, 0, 0), mask=shadow.filter(ImageFilter.GaussianBlur(12)))
    return image


def _gradient(top: tuple, bottom: tuple) -> Image.Image:
    column = Image.new("RGB", (1, HEIGHT))
    for y in range(HEIGHT):
        t = y / (HEIGHT - 1)
        column.putpixel((0, y), tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))
    return column.resize((WIDTH, HEIGHT))


def _shade(colour: tuple, factor: float) -> tuple:
    return tuple(max(0, min(255, round(c * factor))) for c in colour)


def _outline(colour: tuple) -> tuple:
    return _shade(colour, 0.6)


# --- One drawer per subcategory ----------------------------------------------------------


def _phone(d, c, rng):
    d.rounded_rectangle((250, 80, 390, 380), radius=22, fill=c, outline=_outline(c), width=4)
    d.rounded_rectangle((262, 104, 378, 350), radius=8, fill=(30, 40, 60))
    d.ellipse((312, 356, 328, 372), fill=_shade(c, 0.8))
    for _ in range(4):  # app icons
        x, y = rng.randint(272, 350), rng.randint(120, 320)
        d.rounded_rectangle((x, y, x + 18, y + 18), radius=4, fill=rng.choice(list(COLOURS.values())))


def _laptop(d, c, rng):
    d.rounded_rectangle((190, 110, 450, 290), radius=10, fill=_shade(c, 0.9), outline=_outline(c), width=4)
    d.rectangle((206, 126, 434, 276), fill=(40, 60, 90))
    d.line((230, 160, 330, 160), fill=(120, 200, 160), width=5)
    d.line((230, 180, 390, 180), fill=(200, 200, 120), width=5)
    d.polygon([(160, 300), (480, 300), (500, 340), (140, 340)], fill=c, outline=_outline(c))


def _headphones(d, c, rng):
    d.arc((200, 80, 440, 330), start=180, end=360, fill=c, width=22)
    d.rounded_rectangle((180, 200, 250, 320), radius=24, fill=c, outline=_outline(c), width=4)
    d.rounded_rectangle((390, 200, 460, 320), radius=24, fill=c, outline=_outline(c), width=4)


def _table(d, c, rng):
    d.rectangle((150, 180, 490, 210), fill=c, outline=_outline(c), width=3)
    for x in (170, 450):
        d.rectangle((x, 210, x + 20, 380), fill=_shade(c, 0.8))
    d.ellipse((280, 130, 360, 180), fill=(250, 250, 250), outline=(180, 180, 180), width=2)


def _mug(d, c, rng):
    d.ellipse((360, 190, 440, 290), outline=c, width=18)
    d.rounded_rectangle((220, 150, 380, 360), radius=18, fill=c, outline=_outline(c), width=4)
    d.ellipse((222, 138, 378, 170), fill=_shade(c, 0.7))
    for i in range(3):  # steam
        x = 260 + i * 40
        d.arc((x, 60, x + 30, 130), start=90, end=270, fill=(255, 255, 255), width=4)


def _plant(d, c, rng):
    for _ in range(9):
        x, y, r = rng.randint(240, 400), rng.randint(90, 210), rng.randint(28, 48)
        d.ellipse((x - r, y - r, x + r, y + r), fill=(rng.randint(40, 90), rng.randint(120, 170), rng.randint(50, 90)))
    d.polygon([(230, 230), (410, 230), (380, 380), (260, 380)], fill=c, outline=_outline(c))
    d.rectangle((222, 222, 418, 246), fill=_shade(c, 0.85))


def _garment(d, c, rng):
    shoulders = [(250, 90), (390, 90), (470, 150), (430, 200), (400, 180)]
    hem = [(400, 380), (240, 380), (240, 180), (210, 200), (170, 150)]
    d.polygon(shoulders + hem, fill=c, outline=_outline(c))
    d.arc((280, 70, 360, 120), start=0, end=180, fill=_outline(c), width=6)
    for y in range(150, 360, 45):
        d.ellipse((314, y, 326, y + 12), fill=_shade(c, 0.7))


def _bag(d, c, rng):
    d.arc((240, 80, 400, 260), start=180, end=360, fill=_shade(c, 0.7), width=14)
    d.rounded_rectangle((190, 170, 450, 380), radius=26, fill=c, outline=_outline(c), width=4)
    d.rectangle((300, 200, 340, 230), fill=(210, 180, 80))


def _books(d, c, rng):
    y = 370
    for _ in range(rng.randint(4, 6)):
        height = rng.randint(34, 52)
        width = rng.randint(230, 320)
        x = 320 - width // 2 + rng.randint(-20, 20)
        colour = rng.choice([c, *COLOURS.values()])
        d.rectangle((x, y - height, x + width, y), fill=colour, outline=_outline(colour), width=3)
        d.line((x + 16, y - height + 8, x + 16, y - 8), fill=(240, 230, 200), width=4)
        y -= height


def _bike(d, c, rng):
    for x in (200, 440):
        d.ellipse((x - 80, 220, x + 80, 380), outline=(40, 40, 40), width=10)
    d.line([(200, 300), (290, 300), (380, 200), (260, 200), (200, 300)], fill=c, width=12)
    d.line([(290, 300), (250, 170), (440, 300), (380, 200)], fill=c, width=12)
    d.line((240, 165, 280, 165), fill=(40, 40, 40), width=10)
    d.line((380, 200, 370, 160), fill=c, width=10)


def _tent(d, c, rng):
    d.polygon([(320, 90), (510, 370), (130, 370)], fill=c, outline=_outline(c))
    d.polygon([(320, 90), (370, 370), (270, 370)], fill=_shade(c, 0.6))
    d.line((320, 60, 320, 100), fill=(80, 60, 40), width=6)


def _dumbbell(d, c, rng):
    d.rectangle((220, 245, 420, 265), fill=(160, 160, 170))
    for x in (170, 420):
        d.rounded_rectangle((x, 180, x + 50, 330), radius=10, fill=c, outline=_outline(c), width=4)


def _board(d, c, rng):
    d.rectangle((170, 100, 470, 380), fill=(120, 80, 40))
    size = 35
    for i in range(8):
        for j in range(8):
            fill = (240, 220, 180) if (i + j) % 2 else c
            d.rectangle((180 + i * size, 110 + j * size, 180 + (i + 1) * size, 110 + (j + 1) * size), fill=fill)


def _bricks(d, c, rng):
    y = 370
    for row in range(4):
        for col in range(3 - row % 2):
            colour = rng.choice(list(COLOURS.values())) if rng.random() < 0.4 else c
            x = 170 + col * 100 + (50 if row % 2 else 0)
            d.rectangle((x, y - 50, x + 96, y), fill=colour, outline=_outline(colour), width=3)
            for stud in range(2):
                sx = x + 20 + stud * 40
                d.ellipse((sx, y - 62, sx + 24, y - 46), fill=_shade(colour, 1.1), outline=_outline(colour))
        y -= 62


def _gamepad(d, c, rng):
    d.rounded_rectangle((170, 170, 470, 330), radius=70, fill=c, outline=_outline(c), width=4)
    d.rectangle((215, 235, 275, 255), fill=(40, 40, 40))
    d.rectangle((235, 215, 255, 275), fill=(40, 40, 40))
    for (x, y), colour in zip([(390, 215), (420, 245), (360, 245), (390, 275)], COLOURS.values(), strict=False):
        d.ellipse((x - 12, y - 12, x + 12, y + 12), fill=colour)


def _guitar(d, c, rng):
    d.rectangle((305, 40, 335, 230), fill=(110, 70, 40))
    d.ellipse((240, 200, 400, 330), fill=c, outline=_outline(c), width=4)
    d.ellipse((220, 280, 420, 400), fill=c, outline=_outline(c), width=4)
    d.ellipse((298, 262, 342, 306), fill=(30, 20, 10))
    for x in (312, 320, 328):
        d.line((x, 40, x, 360), fill=(230, 230, 230), width=1)


def _keys(d, c, rng):
    d.rounded_rectangle((110, 170, 530, 330), radius=12, fill=c, outline=_outline(c), width=4)
    for i in range(14):
        d.rectangle((130 + i * 28, 220, 155 + i * 28, 315), fill=(250, 250, 250), outline=(150, 150, 150))
    for i in (0, 1, 3, 4, 5, 7, 8, 10, 11, 12):
        d.rectangle((148 + i * 28, 220, 165 + i * 28, 275), fill=(20, 20, 20))


def _painting(d, c, rng):
    d.rectangle((150, 90, 490, 370), fill=(150, 110, 60))
    d.rectangle((175, 115, 465, 345), fill=(200, 225, 245))
    d.ellipse((380, 135, 430, 185), fill=(250, 210, 90))
    d.polygon([(175, 345), (270, 210), (360, 345)], fill=c)
    d.polygon([(260, 345), (370, 240), (465, 345)], fill=_shade(c, 0.7))


def _coins(d, c, rng):
    for _ in range(6):
        x, y, r = rng.randint(210, 430), rng.randint(170, 330), rng.randint(38, 58)
        d.ellipse((x - r, y - r, x + r, y + r), fill=(200, 200, 205), outline=(120, 120, 130), width=4)
        d.ellipse((x - r + 12, y - r + 12, x + r - 12, y + r - 12), outline=(160, 160, 170), width=2)


def _pram(d, c, rng):
    d.pieslice((190, 120, 390, 320), start=180, end=270, fill=_shade(c, 0.7))
    d.rounded_rectangle((190, 210, 440, 300), radius=30, fill=c, outline=_outline(c), width=4)
    d.line((440, 220, 490, 150), fill=(60, 60, 60), width=8)
    for x in (230, 400):
        d.ellipse((x - 35, 300, x + 35, 370), outline=(40, 40, 40), width=9)


def _camera(d, c, rng):
    d.rounded_rectangle((160, 160, 480, 350), radius=20, fill=c, outline=_outline(c), width=4)
    d.rectangle((200, 130, 280, 165), fill=_shade(c, 0.8))
    d.ellipse((250, 185, 390, 325), fill=(50, 50, 55))
    d.ellipse((275, 210, 365, 300), fill=(90, 120, 170))
    d.ellipse((300, 225, 325, 250), fill=(230, 240, 255))


def _lens(d, c, rng):
    for i, r in enumerate((130, 105, 80, 55)):
        fill = _shade(c, 1 - i * 0.15) if i < 3 else (80, 110, 160)
        d.ellipse((320 - r, 240 - r, 320 + r, 240 + r), fill=fill, outline=_outline(c), width=3)
    d.arc((250, 170, 350, 270), start=200, end=260, fill=(240, 240, 255), width=6)


def _parcel(d, c, rng):
    d.rectangle((200, 170, 440, 370), fill=c, outline=_outline(c), width=4)
    d.polygon([(200, 170), (260, 120), (500, 120), (440, 170)], fill=_shade(c, 1.15))
    d.line((320, 170, 380, 120), fill=(230, 220, 190), width=10)


_DRAWERS: dict[str, Draw] = {
    "phones": _phone,
    "computers": _laptop,
    "audio": _headphones,
    "furniture": _table,
    "kitchen": _mug,
    "garden": _plant,
    "women": _garment,
    "men": _garment,
    "accessories": _bag,
    "fiction": _books,
    "non-fiction": _books,
    "comics": _books,
    "cycling": _bike,
    "camping": _tent,
    "fitness": _dumbbell,
    "board-games": _board,
    "building": _bricks,
    "video-games": _gamepad,
    "guitars": _guitar,
    "keys": _keys,
    "art": _painting,
    "coins-stamps": _coins,
    "prams": _pram,
    "kids-clothing": _garment,
    "cameras": _camera,
    "lenses": _lens,
}
